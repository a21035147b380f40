import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { describe, expect, it } from 'vitest';
import { newPGPVerifier } from '../../src/signature/pgp/verifier.js';
import { signatureFixtures } from '../helpers/paths.js';

const fx = (name: string): Buffer =>
  readFileSync(join(signatureFixtures, name));

describe('when the signature or the key has expired', () => {
  it('rejects expired.signature (its expiration subpacket is in the past)', async () => {
    const v = await newPGPVerifier([fx('public-key.gpg')]);
    await expect(v.verify(fx('expired.signature'))).rejects.toThrow(
      /Signature is expired/,
    );
  });

  it('rejects a signature made while the key was valid once the key has expired', async () => {
    const created = new Date(Date.now() - 3 * 86400_000);
    const { privateKey, publicKey } = await openpgp.generateKey({
      userIDs: [{ name: 'Expiring', email: 'e@example.com' }],
      type: 'ecc',
      curve: 'ed25519Legacy',
      keyExpirationTime: 86400,
      date: created,
      format: 'object',
    });
    const signed = (await openpgp.sign({
      message: await openpgp.createMessage({
        binary: new TextEncoder().encode('payload'),
      }),
      signingKeys: privateKey,
      date: new Date(created.getTime() + 1000),
      format: 'binary',
    })) as Uint8Array;
    const pub = Buffer.from(publicKey.write());
    const whileValid = await newPGPVerifier([pub], {
      now: () => new Date(created.getTime() + 3600_000),
    });
    await expect(whileValid.verify(Buffer.from(signed))).resolves.toMatchObject(
      { keyIdentity: publicKey.getFingerprint().toUpperCase() },
    );
    const afterExpiry = await newPGPVerifier([pub]);
    await expect(afterExpiry.verify(Buffer.from(signed))).rejects.toThrow(
      /not valid for signing.*expired/i,
    );
  });
});
