import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { signatureFixtures, tempDir } from '../helpers/paths.js';

const fx = (name: string): string => join(signatureFixtures, name);
const K1 = '08CD26E446E2E95249B7A405E932F44B23E8DD43';
const D =
  'sha256:20bf21ed457b390829cdbeec8795a7bea1626991fda603e0d01b4e7f60427e55';

async function verify(
  args: string[],
): Promise<{ stdout: string; stderr: string; code: number }> {
  const home = await tempDir();
  return runCli(['standalone-verify', ...args], {
    env: {
      IMGSIGN_HOME: join(home, 'keyring'),
      GNUPGHOME: join(home, 'gnupg'),
    },
  });
}

describe('imgsign standalone-verify', () => {
  it('verifies image.signature with the fingerprint and a key file', async () => {
    const r = await verify([
      fx('image.manifest.json'),
      'testing/manifest',
      K1,
      fx('image.signature'),
      '--public-key-file',
      fx('public-key.gpg'),
    ]);
    expect(r).toEqual({
      code: 0,
      stderr: '',
      stdout: `Signature verified using fingerprint ${K1}, digest ${D}\n`,
    });
  });

  it('takes --public-key-file before the arguments, as in skopeo', async () => {
    const r = await verify([
      '--public-key-file',
      fx('public-key.gpg'),
      fx('image.manifest.json'),
      'testing/manifest',
      K1,
      fx('image.signature'),
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      `Signature verified using fingerprint ${K1}, digest ${D}\n`,
    );
  });

  it('accepts "any" with several key files and reports JSON', async () => {
    const r = await verify([
      fx('image.manifest.json'),
      'docker.io/testing/manifest',
      'any',
      fx('image.signature'),
      '--public-key-file',
      fx('public-key-2.gpg'),
      '--public-key-file',
      fx('public-key-1.gpg'),
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      verified: true,
      fingerprint: K1,
      manifestDigest: D,
      dockerReference: 'testing/manifest',
      creator: 'atomic ',
      timestamp: 1458239713,
    });
  });

  it('verifies a V3 subkey signature as the primary key', async () => {
    const primary = 'B9F4CDB9FD8C475BFA340AC38D54A947EE396F36';
    const r = await verify([
      fx('image.manifest.json'),
      'testing/manifest:latest',
      primary,
      fx('subkey.signature-v3'),
      '--public-key-file',
      fx('public-key-with-subkey.gpg'),
    ]);
    expect(r.stdout).toBe(
      `Signature verified using fingerprint ${primary}, digest ${D}\n`,
    );
  });

  it.each([
    [
      'another identity',
      ['example.com/does-not/match', K1, 'image.signature'],
      /not "example.com\/does-not\/match"/,
    ],
    [
      'a fingerprint list without the signer',
      [
        'testing/manifest',
        'F2B501009F78B0B340221A12A3CD242DA6028093',
        'image.signature',
      ],
      /not by an accepted key/,
    ],
    [
      'a corrupt signature',
      ['testing/manifest', K1, 'corrupt.signature'],
      /did not verify/,
    ],
    [
      'an invalid expected reference',
      ['UPPERCASEISINVALID', K1, 'image.signature'],
      /invalid docker reference "UPPERCASEISINVALID"/,
    ],
    [
      'an unknown key',
      ['testing/manifest', K1, 'unknown-key.signature'],
      /5F9470E3BC6C3B55, which is not a trusted key/,
    ],
  ])(
    'refuses %s with one line and exit 1',
    async (_, [ref, fprs, sig], message) => {
      const r = await verify([
        fx('image.manifest.json'),
        ref!,
        fprs!,
        fx(sig!),
        '--public-key-file',
        fx('public-key.gpg'),
      ]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    },
  );

  it('refuses a manifest other than the signed one', async () => {
    const r = await verify([
      fx('dir-img-modified-manifest/manifest.json'),
      'testing/manifest',
      K1,
      fx('image.signature'),
      '--public-key-file',
      fx('public-key.gpg'),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not for this manifest/);
  });

  it('needs key files for "any"', async () => {
    const r = await verify([
      fx('image.manifest.json'),
      'testing/manifest',
      'any',
      fx('image.signature'),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/"any" requires at least one --public-key-file/);
  });

  it('reports failures as JSON with --json', async () => {
    const r = await verify([
      fx('image.manifest.json'),
      'other/name:1',
      K1,
      fx('image.signature'),
      '--public-key-file',
      fx('public-key.gpg'),
      '--json',
    ]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({
      error: {
        code: 'INVALID_SIGNATURE',
        message: expect.stringMatching(/not "other\/name:1"/),
      },
    });
  });
  it('takes trusted keys from the imgsign keyring when no key file is given', async () => {
    const home = await tempDir();
    const env = {
      IMGSIGN_HOME: join(home, 'keyring'),
      GNUPGHOME: join(home, 'gnupg'),
    };
    const args = [
      'standalone-verify',
      fx('image.manifest.json'),
      'testing/manifest',
      K1,
      fx('image.signature'),
    ];
    const before = await runCli(args, { env });
    expect(before.code).toBe(1);
    expect(before.stderr).toMatch(
      /no public key for 08CD26E4.* in the imgsign keyring .* or in GnuPG/,
    );
    await runCli(['key', 'import', fx('public-key.gpg')], { env });
    const after = await runCli(args, { env });
    expect(after.stdout).toBe(
      `Signature verified using fingerprint ${K1}, digest ${D}\n`,
    );
  });
});
