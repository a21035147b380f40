import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  generateKeyMaterial,
  readKeyMaterial,
} from '../../../../src/signature/pgp/keys.js';
import { parseSignedMessage } from '../../../../src/signature/pgp/packets.js';
import { newPGPSigner } from '../../../../src/signature/pgp/signer.js';
import { newPGPVerifier } from '../../../../src/signature/pgp/verifier.js';
import { signatureFixtures } from '../../../helpers/paths.js';

const fx = (name: string): Buffer =>
  readFileSync(join(signatureFixtures, name));
const K1 = '08CD26E446E2E95249B7A405E932F44B23E8DD43';
const KP = 'F2B501009F78B0B340221A12A3CD242DA6028093';

describe('newPGPSigner', () => {
  it('signs with a generated Ed25519 key as a binary signed message our verifier accepts', async () => {
    const key = await generateKeyMaterial({
      name: 'T',
      email: 't@example.com',
      type: 'ed25519',
    });
    const signer = await newPGPSigner(key.secretKey!, undefined);
    expect(signer.fingerprint).toBe(key.fingerprint);
    expect(signer.userId).toBe('T <t@example.com>');
    const payload = Buffer.from('{"x":1}');
    const signed = await signer.sign(payload);
    // one-pass signature, literal, signature; not armored, not detached.
    expect(signed[0]).toBe(0xc4);
    const parsed = parseSignedMessage(signed);
    expect(parsed.signatures).toHaveLength(1);
    expect(parsed.literal?.data.equals(payload)).toBe(true);
    const verifier = await newPGPVerifier([key.publicKey]);
    const result = await verifier.verify(signed);
    expect(result.keyIdentity).toBe(key.fingerprint);
    expect(result.contents.equals(payload)).toBe(true);
  });

  it('signs with the unprotected K1 from the GnuPG 1.x secring fixture', async () => {
    const keys = await readKeyMaterial(fx('secring.gpg'), 'secring.gpg');
    const k1 = keys.find((k) => k.fingerprint === K1)!;
    const signer = await newPGPSigner(k1.secretKey!, undefined);
    const signed = await signer.sign(Buffer.from('hello'));
    const verifier = await newPGPVerifier([fx('public-key.gpg')]);
    expect((await verifier.verify(signed)).keyIdentity).toBe(K1);
  });

  describe('with the passphrase-protected KP', async () => {
    const keys = await readKeyMaterial(fx('secring.gpg'), 'secring.gpg');
    const kp = keys.find((k) => k.fingerprint === KP)!;
    it('is stored encrypted', () => {
      expect(kp.isEncrypted).toBe(true);
    });
    it('needs the passphrase', async () => {
      await expect(newPGPSigner(kp.secretKey!, undefined)).rejects.toThrow(
        expect.objectContaining({
          code: 'PASSPHRASE',
          message: expect.stringMatching(/protected by a passphrase/),
        }),
      );
    });
    it('needs the passphrase when the prompt has no one to ask', async () => {
      let asked = 0;
      const noTerminal = () => {
        asked++;
        return Promise.resolve(undefined);
      };
      await expect(
        newPGPSigner(kp.secretKey!, undefined, 'KP', noTerminal),
      ).rejects.toThrow(
        expect.objectContaining({
          code: 'PASSPHRASE',
          message: expect.stringMatching(/protected by a passphrase/),
        }),
      );
      expect(asked).toBe(1);
    });
    it('rejects a wrong passphrase', async () => {
      await expect(newPGPSigner(kp.secretKey!, 'wrong')).rejects.toThrow(
        /wrong passphrase/,
      );
    });
    it('signs with the right one (also when asked interactively)', async () => {
      const asked: string[] = [];
      const signer = await newPGPSigner(kp.secretKey!, undefined, 'KP', (p) => {
        asked.push(p);
        return Promise.resolve('WithPassphrase123');
      });
      expect(asked).toHaveLength(1);
      const verifier = await newPGPVerifier([fx('public-key-2.gpg')]);
      expect(
        (await verifier.verify(await signer.sign(Buffer.from('x'))))
          .keyIdentity,
      ).toBe(KP);
    });
  });

  it('refuses a public key', async () => {
    await expect(newPGPSigner(fx('public-key.gpg'), undefined)).rejects.toThrow(
      expect.objectContaining({ code: 'KEY_INVALID' }),
    );
  });
});
