import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyMaterial } from '../../src/signature/pgp/keys.js';
import { newPGPSigner } from '../../src/signature/pgp/signer.js';
import { newPGPVerifier } from '../../src/signature/pgp/verifier.js';
import { verifyDockerManifestSignature } from '../../src/signature/simple.js';
import { signatureFixtures } from '../helpers/paths.js';

/*
 * Shared set-up for the signature-*.test.ts attacks: a trusted key that
 * really signs whatever hostile claims a test writes, verified against the
 * containers/image fixture manifest. Each attack keeps its own test file.
 */

/** A file from the containers/image signature fixtures, read in place. */
export const fx = (name: string): Buffer =>
  readFileSync(join(signatureFixtures, name));

/** The manifest every forged payload is checked against, and its digest. */
export const M = fx('image.manifest.json');
export const D =
  'sha256:20bf21ed457b390829cdbeec8795a7bea1626991fda603e0d01b4e7f60427e55';
/** The identity the verifier expects. */
export const EXPECTED_REF = 'testing/manifest:latest';

/** Well-formed members of `critical`, to build payloads from. */
export const IDENTITY = `"identity":{"docker-reference":"${EXPECTED_REF}"}`;
export const IMAGE = `"image":{"docker-manifest-digest":"${D}"}`;
export const TYPE = '"type":"atomic container signature"';

/** Verdict on a hostile payload that a trusted key really signed. */
export async function trustedSigner(): Promise<
  (payload: string) => Promise<unknown>
> {
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
      EXPECTED_REF,
      verifier,
      [key.fingerprint],
    );
}
