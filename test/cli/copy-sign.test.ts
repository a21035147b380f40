import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  chmod,
  mkdir,
  mkdtemp,
  readFile,
  rm,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeDirImage, makeScenario } from '../fixtures/make-images.js';
import { newPGPSigner } from '../../src/signature/pgp/signer.js';
import { signDockerManifest } from '../../src/signature/simple.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/paths.js';
import { describeWithPeers } from '../helpers/peers.js';

const run = promisify(execFile);

describeWithPeers('imgsign copy --sign-by', ['gpg', 'skopeo'], () => {
  let keys: string;
  let fpr: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    // Not tempDir(): that one is removed after the first test.
    keys = await mkdtemp(join(tmpdir(), 'imgsign-copy-sign-'));
    const home = join(keys, 'gnupg');
    await mkdir(home);
    await chmod(home, 0o700);
    env = { GNUPGHOME: home };
    const gpg = (...args: string[]) =>
      run(
        'gpg',
        ['--batch', '--pinentry-mode', 'loopback', '--passphrase', '', ...args],
        { env: { ...process.env, ...env } },
      );
    await gpg(
      '--quick-gen-key',
      'Copy Test <copy@example.com>',
      'ed25519',
      'sign',
      'never',
    );
    const { stdout } = await gpg(
      '--with-colons',
      '--list-keys',
      'copy@example.com',
    );
    fpr = /^fpr:+([0-9A-F]{40}):/m.exec(stdout)?.[1] ?? '';
    await writeFile(
      join(keys, 'key.asc'),
      (await gpg('--armor', '--export-secret-keys', fpr)).stdout,
    );
  });

  afterAll(async () => {
    if (keys) await rm(keys, { recursive: true, force: true });
  });

  it('signs the copied manifest so that skopeo standalone-verify accepts it', async () => {
    const t = await tempDir();
    await makeDirImage(join(t, 's'), { format: 'oci' });
    const r = await runCli(
      [
        'copy',
        '--sign-by-key-file',
        join(keys, 'key.asc'),
        '--sign-identity',
        'example.com/team/app:1',
        '--json',
        `dir:${t}/s`,
        `dir:${t}/d`,
      ],
      { env },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      signaturesCreated: 1,
      signaturesWritten: 1,
    });
    const { stdout } = await run(
      'skopeo',
      [
        'standalone-verify',
        join(t, 'd/manifest.json'),
        'example.com/team/app:1',
        fpr,
        join(t, 'd/signature-1'),
      ],
      {
        env: { ...process.env, ...env },
      },
    );
    expect(stdout).toMatch(/Signature verified/);
  });

  it('signs the converted manifest, not the source one', async () => {
    const t = await tempDir();
    await makeDirImage(join(t, 's'), { format: 'v2s2' });
    const r = await runCli(
      [
        'copy',
        '--format',
        'oci',
        '--sign-by-key-file',
        join(keys, 'key.asc'),
        '--sign-identity',
        'example.com/team/app:1',
        `dir:${t}/s`,
        `dir:${t}/d`,
      ],
      { env },
    );
    expect(r.code).toBe(0);
    await expect(
      run(
        'skopeo',
        [
          'standalone-verify',
          join(t, 'd/manifest.json'),
          'example.com/team/app:1',
          fpr,
          join(t, 'd/signature-1'),
        ],
        { env: { ...process.env, ...env } },
      ),
    ).resolves.toBeTruthy();
  });

  it('enforces a signedBy policy: a valid image is copied, a modified manifest is refused', async () => {
    const t = await tempDir();
    const signer = await newPGPSigner(
      await readFile(join(keys, 'key.asc')),
      undefined,
    );
    const sign = [
      (m: Buffer) => signDockerManifest(m, 'example.com/team/app:1', signer),
    ];
    await makeScenario('dir-img-valid', join(t, 'valid'), sign);
    await makeScenario('dir-img-modified-manifest', join(t, 'modified'), sign);
    await writeFile(
      join(t, 'pub.asc'),
      (
        await run('gpg', ['--batch', '--armor', '--export', fpr], {
          env: { ...process.env, ...env },
        })
      ).stdout,
    );
    const policy = join(t, 'policy.json');
    await writeFile(
      policy,
      JSON.stringify({
        default: [
          {
            type: 'signedBy',
            keyType: 'GPGKeys',
            keyPath: join(t, 'pub.asc'),
            signedIdentity: {
              type: 'exactReference',
              dockerReference: 'example.com/team/app:1',
            },
          },
        ],
      }),
    );
    const ok = await runCli(
      ['copy', '--policy', policy, `dir:${t}/valid`, `dir:${t}/out-valid`],
      { env },
    );
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('1 signature');
    const bad = await runCli(
      [
        'copy',
        '--policy',
        policy,
        `dir:${t}/modified`,
        `dir:${t}/out-modified`,
      ],
      { env },
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/Source image rejected/);
    expect(existsSync(join(t, 'out-modified'))).toBe(false);
  });

  it('needs --sign-identity for a destination without a docker reference', async () => {
    const t = await tempDir();
    await makeDirImage(join(t, 's'));
    const r = await runCli(
      [
        'copy',
        '--sign-by-key-file',
        join(keys, 'key.asc'),
        `dir:${t}/s`,
        `dir:${t}/d`,
      ],
      { env },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /Cannot determine canonical Docker reference for destination dir:.*--sign-identity/,
    );
    expect(existsSync(join(t, 'd'))).toBe(false);
  });

  it('refuses to sign for a destination that cannot store signatures', async () => {
    const t = await tempDir();
    await makeDirImage(join(t, 's'), { format: 'oci' });
    const r = await runCli(
      [
        'copy',
        '--sign-by-key-file',
        join(keys, 'key.asc'),
        '--sign-identity',
        'example.com/a:1',
        `dir:${t}/s`,
        `oci:${t}/l:x`,
      ],
      { env },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Can not copy signatures to oci:/);
    expect(existsSync(join(t, 'l'))).toBe(false);
  });
});
