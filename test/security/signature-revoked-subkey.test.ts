import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newPGPVerifier } from '../../src/signature/pgp/verifier.js';
import { verifyDockerManifestSignature } from '../../src/signature/simple.js';
import { signatureFixtures } from '../helpers/paths.js';

const fx = (name: string): Buffer =>
  readFileSync(join(signatureFixtures, name));
const M = fx('image.manifest.json');

describe('when the signing subkey is revoked', async () => {
  const v = await newPGPVerifier([fx('public-key-with-revoked-subkey.gpg')]);
  it.each(['subkey-revoked.signature', 'subkey-revoked.signature-v3'])(
    'rejects %s although the primary key is trusted',
    async (file) => {
      await expect(
        verifyDockerManifestSignature(
          fx(file),
          M,
          'testing/manifest:latest',
          v,
          ['6D88C5A1993648A17B2BB0DC6B8499AF63388D63'],
        ),
      ).rejects.toThrow(/3EF0F93A1F602997.*revoked/);
    },
  );
});
