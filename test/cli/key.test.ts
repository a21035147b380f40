import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { signatureFixtures, tempDir } from '../helpers/paths.js';

const K1 = '08CD26E446E2E95249B7A405E932F44B23E8DD43';

async function env(): Promise<Record<string, string>> {
  const dir = await tempDir();
  return { IMGSIGN_HOME: join(dir, 'keyring'), GNUPGHOME: join(dir, 'gnupg') };
}

describe('imgsign key', () => {
  it('generate, list --json, export, delete', async () => {
    const e = await env();
    const gen = await runCli(
      [
        'key',
        'generate',
        '--name',
        'Lister',
        '--email',
        'l@example.com',
        '--json',
      ],
      { env: e },
    );
    expect(gen.code).toBe(0);
    const key = JSON.parse(gen.stdout) as { fingerprint: string };
    expect(key).toMatchObject({
      algorithm: 'ed25519',
      hasSecret: true,
      encrypted: false,
      userIds: ['Lister <l@example.com>'],
    });
    expect(
      (await stat(join(e.IMGSIGN_HOME!, 'keys', `${key.fingerprint}.sec`)))
        .mode & 0o777,
    ).toBe(0o600);
    const list = await runCli(['key', 'list', '--json'], { env: e });
    expect(JSON.parse(list.stdout)).toEqual([key]);
    const human = await runCli(['key', 'list'], { env: e });
    expect(human.stdout).toBe(
      `${key.fingerprint}  ed25519  sec  Lister <l@example.com>\n`,
    );
    const armored = await runCli(
      ['key', 'export', 'l@example.com', '--armor'],
      { env: e },
    );
    expect(armored.stdout).toMatch(/^-----BEGIN PGP PUBLIC KEY BLOCK-----/);
    const del = await runCli(['key', 'delete', key.fingerprint], { env: e });
    expect(del.stdout).toBe(`deleted ${key.fingerprint}\n`);
    expect(
      JSON.parse((await runCli(['key', 'list', '--json'], { env: e })).stdout),
    ).toEqual([]);
  });

  it('imports from a file and from stdin, armored and binary', async () => {
    const e = await env();
    const fromFile = await runCli(
      ['key', 'import', join(signatureFixtures, 'public-key.gpg'), '--json'],
      { env: e },
    );
    expect(JSON.parse(fromFile.stdout)).toMatchObject([
      { fingerprint: K1, hasSecret: false },
    ]);
    const fromStdin = await runCli(['key', 'import', '-'], {
      env: e,
      input: readFileSync(join(signatureFixtures, 'public-key-2.gpg')),
    });
    expect(fromStdin.stdout).toMatch(
      /^imported F2B501009F78B0B340221A12A3CD242DA6028093/,
    );
    const list = JSON.parse(
      (await runCli(['key', 'list', '--json'], { env: e })).stdout,
    ) as { fingerprint: string }[];
    expect(list.map((k) => k.fingerprint).sort()).toEqual([
      K1,
      'F2B501009F78B0B340221A12A3CD242DA6028093',
    ]);
  });

  it('imports a secret keyring and keeps protected keys protected', async () => {
    const e = await env();
    const r = await runCli(
      ['key', 'import', join(signatureFixtures, 'secring.gpg'), '--json'],
      { env: e },
    );
    const keys = JSON.parse(r.stdout) as {
      fingerprint: string;
      encrypted: boolean;
    }[];
    expect(
      keys.find(
        (k) => k.fingerprint === 'F2B501009F78B0B340221A12A3CD242DA6028093',
      ),
    ).toMatchObject({ hasSecret: true, encrypted: true });
    expect(keys.find((k) => k.fingerprint === K1)).toMatchObject({
      hasSecret: true,
      encrypted: false,
    });
  });

  it('reports an ambiguous identity with the candidates', async () => {
    const e = await env();
    await runCli(
      ['key', 'generate', '--name', 'Same', '--email', 'one@example.com'],
      { env: e },
    );
    await runCli(
      ['key', 'generate', '--name', 'Same', '--email', 'two@example.com'],
      { env: e },
    );
    const r = await runCli(['key', 'export', 'Same'], { env: e });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /"Same" matches 2 keys in the imgsign keyring .*: [0-9A-F]{40} \(Same <\w+@example.com>\), [0-9A-F]{40} \(Same <\w+@example.com>\); use a fingerprint/,
    );
    expect(r.stderr).toContain('(Same <one@example.com>)');
    expect(r.stderr).toContain('(Same <two@example.com>)');
  });

  it('rejects a file that is not a key', async () => {
    const e = await env();
    const r = await runCli(
      ['key', 'import', join(signatureFixtures, 'image.manifest.json')],
      { env: e },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/does not contain valid OpenPGP keys/);
  });
});
