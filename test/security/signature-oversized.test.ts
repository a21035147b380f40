import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBoundedFile } from '../../src/keys/files.js';
import { MAX_SIGNATURE_BYTES } from '../../src/signature/blob.js';
import { newPGPVerifier } from '../../src/signature/pgp/verifier.js';
import { runCli } from '../helpers/cli.js';
import { signatureFixtures, tempDir } from '../helpers/paths.js';

/** A 100 MB file (sparse: no disk or memory is spent making it). */
async function hugeFile(): Promise<string> {
  const path = join(await tempDir(), 'huge.signature');
  const handle = await open(path, 'w');
  await handle.truncate(100 * 1024 * 1024);
  await handle.close();
  return path;
}

describe('when a 100 MB file is given as a signature', () => {
  it('reads only up to the cap and refuses', async () => {
    const path = await hugeFile();
    await expect(
      readBoundedFile(path, MAX_SIGNATURE_BYTES, 'signature', 'signature'),
    ).rejects.toThrow(
      new RegExp(
        `signature .*huge.signature is larger than ${MAX_SIGNATURE_BYTES} bytes`,
      ),
    );
  });

  it('refuses an oversized blob handed to the verifier directly', async () => {
    const v = await newPGPVerifier([]);
    // Zero keys reject everything anyway; use a key so the size check is what answers.
    const { readFileSync } = await import('node:fs');
    const withKey = await newPGPVerifier([
      readFileSync(join(signatureFixtures, 'public-key.gpg')),
    ]);
    const big = Buffer.alloc(MAX_SIGNATURE_BYTES + 1, 0xa3);
    await expect(withKey.verify(big)).rejects.toThrow(
      /larger than .* refusing to process it/,
    );
    await expect(v.verify(big)).rejects.toThrow('No public keys imported');
  });

  it('makes standalone-verify exit 1 with one line', async () => {
    const path = await hugeFile();
    const r = await runCli([
      'standalone-verify',
      join(signatureFixtures, 'image.manifest.json'),
      'testing/manifest',
      '08CD26E446E2E95249B7A405E932F44B23E8DD43',
      path,
      '--public-key-file',
      join(signatureFixtures, 'public-key.gpg'),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/is larger than 4194304 bytes/);
  });
});
