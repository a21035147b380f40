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
const IDENTITY = '"identity":{"docker-reference":"testing/manifest:latest"}';
const IMAGE = `"image":{"docker-manifest-digest":"${D}"}`;
const TYPE = '"type":"atomic container signature"';

describe('when a trusted signature carries an unknown critical field', async () => {
  const verdict = await trustedSigner();
  it('accepts the same claims without the extra field (control)', async () => {
    await expect(
      verdict(`{"critical":{${IDENTITY},${IMAGE},${TYPE}},"optional":{}}`),
    ).resolves.toMatchObject({ dockerManifestDigest: D });
  });
  it.each([
    [
      'critical',
      `{"critical":{${IDENTITY},${IMAGE},${TYPE},"new-rule":"ignore me"},"optional":{}}`,
      /unknown field critical\.new-rule/,
    ],
    [
      'critical.image',
      `{"critical":{${IDENTITY},"image":{"docker-manifest-digest":"${D}","layers":[]},${TYPE}},"optional":{}}`,
      /unknown field critical\.image\.layers/,
    ],
    [
      'critical.identity',
      `{"critical":{"identity":{"docker-reference":"testing/manifest:latest","scope":"any"},${IMAGE},${TYPE}},"optional":{}}`,
      /unknown field critical\.identity\.scope/,
    ],
    [
      'the top level',
      `{"critical":{${IDENTITY},${IMAGE},${TYPE}},"optional":{},"extra":{}}`,
      /unknown field extra/,
    ],
  ])('rejects an unknown member of %s', async (_, payload, message) => {
    await expect(verdict(payload)).rejects.toThrow(message);
  });
  it('rejects a missing member of critical', async () => {
    await expect(
      verdict(`{"critical":{${IDENTITY},${TYPE}},"optional":{}}`),
    ).rejects.toThrow(/field critical\.image is missing/);
  });
});
