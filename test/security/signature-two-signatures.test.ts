import * as openpgp from 'openpgp';
import { describe, expect, it } from 'vitest';
import { newPGPVerifier } from '../../src/signature/pgp/verifier.js';

describe('when one message carries two signatures', () => {
  it('rejects it even if both signers are trusted (exactly one is required)', async () => {
    const a = await openpgp.generateKey({
      userIDs: [{ email: 'a@example.com' }],
      type: 'ecc',
      curve: 'ed25519Legacy',
      format: 'object',
    });
    const b = await openpgp.generateKey({
      userIDs: [{ email: 'b@example.com' }],
      type: 'ecc',
      curve: 'ed25519Legacy',
      format: 'object',
    });
    const signed = (await openpgp.sign({
      message: await openpgp.createMessage({
        binary: new TextEncoder().encode('payload'),
      }),
      signingKeys: [a.privateKey, b.privateKey],
      format: 'binary',
    })) as Uint8Array;
    const v = await newPGPVerifier([
      Buffer.from(a.publicKey.write()),
      Buffer.from(b.publicKey.write()),
    ]);
    await expect(v.verify(Buffer.from(signed))).rejects.toThrow(
      'signed message contains 2 signatures; exactly one is required',
    );
  });
});
