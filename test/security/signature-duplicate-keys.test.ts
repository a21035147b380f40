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

describe('when the claims repeat a key (JSON parsers disagree on which one wins)', async () => {
  const verdict = await trustedSigner();
  it.each([
    [
      'top level',
      `{"critical":{${IDENTITY},${IMAGE},${TYPE}},"optional":{},"optional":{}}`,
      /duplicate field optional/,
    ],
    [
      'critical',
      `{"critical":{${IDENTITY},${IMAGE},${TYPE},${TYPE}},"optional":{}}`,
      /duplicate field critical\.type/,
    ],
    [
      'critical.image',
      `{"critical":{${IDENTITY},"image":{"docker-manifest-digest":"${D}","docker-manifest-digest":"sha256:${'0'.repeat(64)}"},${TYPE}},"optional":{}}`,
      /duplicate field critical\.image\.docker-manifest-digest/,
    ],
    [
      'critical.identity',
      `{"critical":{"identity":{"docker-reference":"testing/manifest:latest","docker-reference":"evil/image:latest"},${IMAGE},${TYPE}},"optional":{}}`,
      /duplicate field critical\.identity\.docker-reference/,
    ],
    [
      'optional',
      `{"critical":{${IDENTITY},${IMAGE},${TYPE}},"optional":{"creator":"a","creator":"b"}}`,
      /duplicate field optional\.creator/,
    ],
  ])('rejects a duplicate in %s', async (_, payload, message) => {
    await expect(verdict(payload)).rejects.toThrow(message);
  });
  it('rejects trailing data after the claims', async () => {
    await expect(
      verdict(`{"critical":{${IDENTITY},${IMAGE},${TYPE}},"optional":{}}{}`),
    ).rejects.toThrow(/trailing data/);
  });
});
