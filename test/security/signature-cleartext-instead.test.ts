import * as openpgp from 'openpgp';
import { describe, expect, it } from 'vitest';
import { classifySignatureBlob } from '../../src/signature/blob.js';
import { newPGPVerifier } from '../../src/signature/pgp/verifier.js';

describe('when a cleartext-signed message is given instead of a binary signed message', async () => {
  const { privateKey, publicKey } = await openpgp.generateKey({
    userIDs: [{ email: 'c@example.com' }],
    type: 'ecc',
    curve: 'ed25519Legacy',
    format: 'object',
  });
  const cleartext = await openpgp.sign({
    message: await openpgp.createCleartextMessage({ text: '{"critical":{}}' }),
    signingKeys: privateKey,
  });

  it('rejects it in verification, naming what it is', async () => {
    const verifier = await newPGPVerifier([Buffer.from(publicKey.write())]);
    await expect(verifier.verify(Buffer.from(cleartext))).rejects.toThrow(
      'signature is a cleartext-signed message; a binary OpenPGP signed message is required',
    );
  });

  it('rejects it when read from signature storage', () => {
    expect(() => classifySignatureBlob(Buffer.from(cleartext))).toThrow(
      /ASCII-armored/,
    );
  });
});
