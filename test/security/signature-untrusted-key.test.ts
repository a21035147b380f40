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

describe('when the signer is not trusted', () => {
  it.each(['unknown-key.signature', 'unknown-key.signature-v3'])(
    'rejects %s, whose key is in no keyring',
    async (file) => {
      const v = await newPGPVerifier([fx('pubring.gpg')]);
      await expect(
        verifyDockerManifestSignature(fx(file), M, 'testing/manifest', v, [K1]),
      ).rejects.toThrow(/key 5F9470E3BC6C3B55, which is not a trusted key/);
    },
  );
  it('rejects a signer that is in the keyring but not in the accepted fingerprints', async () => {
    const v = await newPGPVerifier([fx('pubring.gpg')]);
    await expect(
      verifyDockerManifestSignature(
        fx('image.signature'),
        M,
        'testing/manifest',
        v,
        ['F2B501009F78B0B340221A12A3CD242DA6028093'],
      ),
    ).rejects.toThrow(/signature by key 08CD26E4.* is not by an accepted key/);
  });
  it('rejects everything with a keyring that has no keys', async () => {
    const v = await newPGPVerifier([Buffer.alloc(0)]);
    await expect(
      verifyDockerManifestSignature(
        fx('image.signature'),
        M,
        'testing/manifest',
        v,
        [K1],
      ),
    ).rejects.toThrow('No public keys imported');
  });
});
