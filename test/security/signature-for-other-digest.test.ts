import { describe, expect, it } from 'vitest';
import { newPGPVerifier as verifierFor } from '../../src/signature/pgp/verifier.js';
import { verifyDockerManifestSignature } from '../../src/signature/simple.js';
import { D, IDENTITY, TYPE, fx, trustedSigner } from './forged-signature.js';

describe('when the signature names another manifest digest', () => {
  it('rejects dir-img-modified-manifest: a valid signature for M, a different manifest', async () => {
    const v = await verifierFor([fx('public-key.gpg')]);
    const modified = fx('dir-img-modified-manifest/manifest.json');
    await expect(
      verifyDockerManifestSignature(
        fx('dir-img-modified-manifest/signature-1'),
        modified,
        'testing/manifest:latest',
        v,
        ['08CD26E446E2E95249B7A405E932F44B23E8DD43'],
      ),
    ).rejects.toThrow(
      /signature is for manifest digest sha256:20bf21ed.*not for this manifest \(sha256:2edc21ff/,
    );
  });
  it('rejects dir-img-manifest-digest-error: the manifest digest cannot be computed', async () => {
    const v = await verifierFor([fx('public-key.gpg')]);
    await expect(
      verifyDockerManifestSignature(
        fx('dir-img-manifest-digest-error/signature-1'),
        fx('dir-img-manifest-digest-error/manifest.json'),
        'testing/manifest:latest',
        v,
        ['08CD26E446E2E95249B7A405E932F44B23E8DD43'],
      ),
    ).rejects.toThrow(/cannot be computed/);
  });
  it.each([
    ['a sha512 digest', `sha512:${'a'.repeat(128)}`, /not for this manifest/],
    [
      'uppercase hex',
      D.toUpperCase().replace('SHA256', 'sha256'),
      /is not a valid digest/,
    ],
    ['a traversal', 'sha256:../..', /is not a valid digest/],
  ])('rejects a claim with %s', async (_, digest, message) => {
    const verdict = await trustedSigner();
    await expect(
      verdict(
        `{"critical":{${IDENTITY},"image":{"docker-manifest-digest":"${digest}"},${TYPE}},"optional":{}}`,
      ),
    ).rejects.toThrow(message);
  });
});
