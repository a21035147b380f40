import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateKeyMaterial } from '../../src/signature/pgp/keys.js';
import { newPGPSigner } from '../../src/signature/pgp/signer.js';
import { newPGPVerifier } from '../../src/signature/pgp/verifier.js';
import { verifyDockerManifestSignature } from '../../src/signature/simple.js';
import { signatureFixtures } from '../helpers/paths.js';

const M = readFileSync(join(signatureFixtures, 'image.manifest.json'));
const D =
  'sha256:20bf21ed457b390829cdbeec8795a7bea1626991fda603e0d01b4e7f60427e55';

/** Verdict on a hostile payload that a trusted key really signed. */
async function trustedSigner(): Promise<(payload: string) => Promise<unknown>> {
  const key = await generateKeyMaterial({
    name: 'Signs hostile payloads',
    email: 'p@example.com',
    type: 'ed25519',
  });
  const signer = await newPGPSigner(key.secretKey!, undefined);
  const verifier = await newPGPVerifier([key.publicKey]);
  return async (payload) =>
    verifyDockerManifestSignature(
      await signer.sign(Buffer.from(payload)),
      M,
      'testing/manifest:latest',
      verifier,
      [key.fingerprint],
    );
}
const IMAGE = `"image":{"docker-manifest-digest":"${D}"}`;
const TYPE = '"type":"atomic container signature"';

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
