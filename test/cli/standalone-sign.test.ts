import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { signatureFixtures, tempDir } from '../helpers/paths.js';

const M = join(signatureFixtures, 'image.manifest.json');
const D =
  'sha256:20bf21ed457b390829cdbeec8795a7bea1626991fda603e0d01b4e7f60427e55';

describe('imgsign standalone-sign', () => {
  it('signs with a generated key and the signature verifies', async () => {
    const dir = await tempDir();
    const env = {
      IMGSIGN_HOME: join(dir, 'keyring'),
      GNUPGHOME: join(dir, 'gnupg'),
    };
    const gen = await runCli(
      [
        'key',
        'generate',
        '--name',
        'CLI',
        '--email',
        'cli@example.com',
        '--json',
      ],
      { env },
    );
    const fpr = (JSON.parse(gen.stdout) as { fingerprint: string }).fingerprint;
    const sig = join(dir, 'sig');
    const r = await runCli(
      [
        'standalone-sign',
        M,
        'quay.io/a/b:1',
        'cli@example.com',
        '-o',
        sig,
        '--json',
      ],
      { env },
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      signature: sig,
      fingerprint: fpr,
      manifestDigest: D,
      dockerReference: 'quay.io/a/b:1',
    });
    const blob = await readFile(sig);
    expect(blob[0]).toBe(0xc4); // binary one-pass signed message, never armored
    const v = await runCli(
      ['standalone-verify', M, 'quay.io/a/b:1', fpr, sig],
      { env },
    );
    expect(v.stdout).toBe(
      `Signature verified using fingerprint ${fpr}, digest ${D}\n`,
    );
  });

  it('signs with --sign-by-key-file and a passphrase file, no keyring needed', async () => {
    const dir = await tempDir();
    const env = {
      IMGSIGN_HOME: join(dir, 'keyring'),
      GNUPGHOME: join(dir, 'gnupg'),
    };
    await writeFile(join(dir, 'pw'), 'correct horse\n');
    await runCli(
      [
        'key',
        'generate',
        '--name',
        'F',
        '--email',
        'f@example.com',
        '--passphrase-file',
        join(dir, 'pw'),
      ],
      { env },
    );
    const exported = await runCli(
      ['key', 'export', 'f@example.com', '--secret', '--armor'],
      { env },
    );
    expect(exported.stdout).toMatch(/^-----BEGIN PGP PRIVATE KEY BLOCK-----/);
    const keyFile = join(dir, 'key.asc');
    await writeFile(keyFile, exported.stdout);
    const other = {
      IMGSIGN_HOME: join(dir, 'elsewhere'),
      GNUPGHOME: join(dir, 'gnupg'),
    };
    const sig = join(dir, 'sig');
    const noPass = await runCli(
      [
        'standalone-sign',
        M,
        'quay.io/a/b:1',
        'f@example.com',
        '--sign-by-key-file',
        keyFile,
        '-o',
        sig,
      ],
      { env: other },
    );
    expect(noPass.code).toBe(2);
    expect(noPass.stderr).toMatch(
      /protected by a passphrase: pass it with --passphrase-file/,
    );
    const wrong = await runCli(
      [
        'standalone-sign',
        M,
        'quay.io/a/b:1',
        'f@example.com',
        '--sign-by-key-file',
        keyFile,
        '--passphrase-env',
        'PW',
        '-o',
        sig,
      ],
      { env: { ...other, PW: 'wrong' } },
    );
    expect(wrong.stderr).toMatch(/wrong passphrase/);
    const ok = await runCli(
      [
        'standalone-sign',
        M,
        'quay.io/a/b:1',
        'f@example.com',
        '--sign-by-key-file',
        keyFile,
        '--passphrase-file',
        join(dir, 'pw'),
        '-o',
        sig,
      ],
      { env: other },
    );
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
  });

  it('rejects a passphrase file with more than one line', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'pw'), 'one\ntwo\n');
    const r = await runCli(
      [
        'standalone-sign',
        M,
        'quay.io/a/b:1',
        'x@example.com',
        '--passphrase-file',
        join(dir, 'pw'),
        '-o',
        join(dir, 'sig'),
      ],
      {
        env: { IMGSIGN_HOME: join(dir, 'k'), GNUPGHOME: join(dir, 'g') },
      },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/contains a line break/);
  });

  it.each([
    [
      'a name-only identity',
      'quay.io/a/b',
      /must be a fully specified reference/,
    ],
    ['an invalid identity', 'Not/A/Ref', /invalid docker reference/],
  ])('refuses %s', async (_, ref, message) => {
    const dir = await tempDir();
    const env = {
      IMGSIGN_HOME: join(dir, 'keyring'),
      GNUPGHOME: join(dir, 'gnupg'),
    };
    await runCli(
      ['key', 'generate', '--name', 'N', '--email', 'n@example.com'],
      { env },
    );
    const r = await runCli(
      ['standalone-sign', M, ref, 'n@example.com', '-o', join(dir, 'sig')],
      { env },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('names a key that exists nowhere', async () => {
    const dir = await tempDir();
    const r = await runCli(
      [
        'standalone-sign',
        M,
        'quay.io/a/b:1',
        'nobody@example.com',
        '-o',
        join(dir, 'sig'),
      ],
      {
        env: {
          IMGSIGN_HOME: join(dir, 'keyring'),
          GNUPGHOME: join(dir, 'gnupg'),
        },
      },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /no secret key matching "nobody@example.com" in the imgsign keyring .* or in GnuPG/,
    );
  });
});
