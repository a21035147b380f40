import * as openpgp from 'openpgp';
import { describe, expect, it } from 'vitest';
import { newPGPVerifier } from '../../src/signature/pgp/verifier.js';

describe('when a detached signature is given instead of a signed message', async () => {
  const { privateKey, publicKey } = await openpgp.generateKey({
    userIDs: [{ email: 'd@example.com' }],
    type: 'ecc',
    curve: 'ed25519Legacy',
    format: 'object',
  });
  const verifier = await newPGPVerifier([Buffer.from(publicKey.write())]);
  const message = await openpgp.createMessage({
    binary: new TextEncoder().encode('{"critical":{}}'),
  });

  it('rejects a binary detached signature', async () => {
    const detached = (await openpgp.sign({
      message,
      signingKeys: privateKey,
      detached: true,
      format: 'binary',
    })) as Uint8Array;
    await expect(verifier.verify(Buffer.from(detached))).rejects.toThrow(
      'signature is a detached signature, not a signed message containing the payload',
    );
  });

  it('rejects an armored detached signature', async () => {
    const armored = (await openpgp.sign({
      message,
      signingKeys: privateKey,
      detached: true,
    })) as string;
    await expect(verifier.verify(Buffer.from(armored))).rejects.toThrow(
      /an ASCII-armored detached signature/,
    );
  });

  it('rejects an armored signed message (storage must be binary)', async () => {
    const armored = (await openpgp.sign({
      message,
      signingKeys: privateKey,
    })) as string;
    await expect(verifier.verify(Buffer.from(armored))).rejects.toThrow(
      /signature is an ASCII-armored message/,
    );
  });
});
