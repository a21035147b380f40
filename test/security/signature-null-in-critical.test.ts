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

describe('when critical contains null', async () => {
  const verdict = await trustedSigner();
  it.each([
    [
      'type',
      `{"critical":{${IDENTITY},${IMAGE},"type":null},"optional":{}}`,
      /critical\.type must be a string, not null/,
    ],
    [
      'docker-manifest-digest',
      `{"critical":{${IDENTITY},"image":{"docker-manifest-digest":null},${TYPE}},"optional":{}}`,
      /docker-manifest-digest must be a string, not null/,
    ],
    [
      'docker-reference',
      `{"critical":{"identity":{"docker-reference":null},${IMAGE},${TYPE}},"optional":{}}`,
      /docker-reference must be a string, not null/,
    ],
    [
      'identity',
      `{"critical":{"identity":null,${IMAGE},${TYPE}},"optional":{}}`,
      /critical\.identity must be a JSON object, not null/,
    ],
    [
      'critical itself',
      '{"critical":null,"optional":{}}',
      /field critical must be a JSON object, not null/,
    ],
  ])('rejects null as %s', async (_, payload, message) => {
    await expect(verdict(payload)).rejects.toThrow(message);
  });
  it('treats null optional members as absent', async () => {
    const sig = await verdict(
      `{"critical":{${IDENTITY},${IMAGE},${TYPE}},"optional":{"creator":null,"timestamp":null}}`,
    );
    expect(sig).not.toHaveProperty('creator');
    expect(sig).not.toHaveProperty('timestamp');
  });
});
