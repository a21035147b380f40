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

describe('when a trusted key signed something that is not a container signature', async () => {
  const v = await newPGPVerifier([fx('public-key.gpg')]);
  it.each(['invalid-blob.signature', 'invalid-blob.signature-v3'])(
    'rejects %s (not JSON) after the signature verified',
    async (file) => {
      await expect(v.verify(fx(file))).resolves.toMatchObject({
        keyIdentity: K1,
      });
      await expect(
        verifyDockerManifestSignature(fx(file), M, 'testing/manifest', v, [K1]),
      ).rejects.toThrow(/invalid signature claims: payload is not valid JSON/);
    },
  );
  it('rejects invalid-reference.signature (UPPERCASEISINVALID) after the digest check passed', async () => {
    await expect(
      verifyDockerManifestSignature(
        fx('invalid-reference.signature'),
        M,
        'testing/manifest',
        v,
        [K1],
      ),
    ).rejects.toThrow(/claims an invalid docker reference/);
  });
});
