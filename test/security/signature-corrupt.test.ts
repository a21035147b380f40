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

describe('when the signed payload was modified after signing', async () => {
  const v = await newPGPVerifier([fx('public-key.gpg')]);
  it.each(['corrupt.signature', 'corrupt.signature-v3'])(
    'rejects %s as a bad signature',
    async (file) => {
      await expect(
        verifyDockerManifestSignature(fx(file), M, 'testing/manifest', v, [K1]),
      ).rejects.toThrow(/did not verify|BAD signature/);
    },
  );
  it('rejects a single flipped bit in the signature value', async () => {
    const blob = Buffer.from(fx('image.signature'));
    // The last bytes are the RSA signature value inside the (deflated) stream: corrupt the stream tail.
    blob[blob.length - 20] = (blob[blob.length - 20] ?? 0) ^ 0x01;
    await expect(
      verifyDockerManifestSignature(blob, M, 'testing/manifest', v, [K1]),
    ).rejects.toThrow(expect.objectContaining({ code: 'INVALID_SIGNATURE' }));
  });
});
