import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newPGPVerifier } from '../../src/signature/pgp/verifier.js';
import { signatureFixtures } from '../helpers/paths.js';

const fx = (name: string): Buffer =>
  readFileSync(join(signatureFixtures, name));

describe('when the blob is not a signed message', async () => {
  const v = await newPGPVerifier([fx('public-key.gpg')]);
  it('rejects literal data without a signature', async () => {
    await expect(v.verify(fx('unsigned-literal.signature'))).rejects.toThrow(
      'not a signed message: the data is not signed',
    );
  });
  it('rejects an encrypted message', async () => {
    await expect(v.verify(fx('unsigned-encrypted.signature'))).rejects.toThrow(
      'not a signed message: it contains encrypted data',
    );
  });
  it('rejects random bytes', async () => {
    await expect(
      v.verify(Buffer.from('random garbage that is not OpenPGP')),
    ).rejects.toThrow(/malformed OpenPGP data/);
  });
  it('rejects an empty blob', async () => {
    await expect(v.verify(Buffer.alloc(0))).rejects.toThrow(
      'signature is empty',
    );
  });
  it('rejects a public key given as a signature', async () => {
    await expect(v.verify(fx('public-key-1.gpg'))).rejects.toThrow(
      /unexpected OpenPGP packet type 6/,
    );
  });
  it('rejects a sigstore signature as simple signing', async () => {
    await expect(v.verify(fx('unknown-cosign-key.signature'))).rejects.toThrow(
      /malformed OpenPGP data/,
    );
  });
});
