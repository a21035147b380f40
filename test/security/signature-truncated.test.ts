import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newPGPVerifier } from '../../src/signature/pgp/verifier.js';
import { verifyDockerManifestSignature } from '../../src/signature/simple.js';
import { signatureFixtures } from '../helpers/paths.js';

const fx = (name: string): Buffer =>
  readFileSync(join(signatureFixtures, name));
const M = fx('image.manifest.json');
const K1 = '08CD26E446E2E95249B7A405E932F44B23E8DD43';

describe('when the signature is truncated', async () => {
  const v = await newPGPVerifier([fx('public-key.gpg')]);
  const full = fx('image.signature');
  it.each([1, 2, 10, 50, 200, full.length - 1])(
    'rejects the first %i bytes',
    async (n) => {
      await expect(
        verifyDockerManifestSignature(
          full.subarray(0, n),
          M,
          'testing/manifest',
          v,
          [K1],
        ),
      ).rejects.toThrow(
        /malformed OpenPGP data|not a signed message|did not verify|no signed data/,
      );
    },
  );
  it('rejects a truncated V3 signature', async () => {
    const v3 = fx('subkey.signature-v3');
    await expect(v.verify(v3.subarray(0, v3.length - 30))).rejects.toThrow(
      expect.objectContaining({ code: 'INVALID_SIGNATURE' }),
    );
  });
});
