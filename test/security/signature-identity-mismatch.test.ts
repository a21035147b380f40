import { describe, expect, it } from 'vitest';
import { D, IMAGE, TYPE, trustedSigner } from './forged-signature.js';

describe('when the signature is for another image identity', async () => {
  const verdict = await trustedSigner();
  const withRef = (ref: string): string =>
    `{"critical":{"identity":{"docker-reference":"${ref}"},${IMAGE},${TYPE}},"optional":{}}`;
  it('accepts the expected identity in another spelling (control)', async () => {
    await expect(
      verdict(withRef('docker.io/testing/manifest:latest')),
    ).resolves.toMatchObject({ dockerManifestDigest: D });
  });
  it.each([
    ['another repository', 'testing/other:latest'],
    ['another tag', 'testing/manifest:notlatest'],
    ['another registry', 'quay.io/testing/manifest:latest'],
    ['no tag (no default tag is added)', 'testing/manifest'],
  ])('rejects %s', async (_, ref) => {
    await expect(verdict(withRef(ref))).rejects.toThrow(
      /signature is for docker reference .* not "testing\/manifest:latest"/,
    );
  });
  it('rejects an invalid reference in the claims', async () => {
    await expect(verdict(withRef('UPPERCASEISINVALID'))).rejects.toThrow(
      /claims an invalid docker reference/,
    );
  });
});
