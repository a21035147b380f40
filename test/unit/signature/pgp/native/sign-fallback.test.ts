import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readPackets } from '../../../../../src/signature/pgp/packets.js';
import { writePacket } from '../../../../../src/signature/pgp/native/sign.js';
import {
  readPrivateKeyBlob,
  unlockPrivateKey,
  type PassphrasePrompt,
} from '../../../../../src/signature/pgp/signer.js';
import { newPGPVerifier } from '../../../../../src/signature/pgp/verifier.js';
import { describeWithPeers } from '../../../../helpers/peers.js';
import { gpgHome, makeGpgKey, type GpgHome, type GpgKey } from './gpg-keys.js';

/**
 * What the native signing path hands to openpgp.js, and errors that must
 * read exactly as openpgp.js's path reports them.
 */
const WHAT = 'the signing key';

interface Fresh {
  signed?: Buffer;
  error?: { code?: string; message: string };
  loaded: boolean;
  asked: string[];
}

/** newPGPSigner + one signature in fresh modules; whether openpgp.js was loaded. */
async function signFresh(
  secret: Buffer,
  passphrase: string | undefined,
  answer?: string,
): Promise<Fresh> {
  vi.resetModules();
  const { newPGPSigner } =
    await import('../../../../../src/signature/pgp/signer.js');
  const { isOpenPGPLoaded } =
    await import('../../../../../src/signature/pgp/openpgp.js');
  const asked: string[] = [];
  const ask: PassphrasePrompt | undefined =
    answer === undefined
      ? undefined
      : (prompt) => {
          asked.push(prompt);
          return Promise.resolve(answer);
        };
  try {
    const signer = await newPGPSigner(secret, passphrase, WHAT, ask);
    const signed = await signer.sign(Buffer.from('{"payload":1}'));
    return { signed, loaded: isOpenPGPLoaded(), asked };
  } catch (err) {
    const e = err as { code?: string; message: string };
    return {
      error: { code: e.code, message: e.message },
      loaded: isOpenPGPLoaded(),
      asked,
    };
  }
}

/** The error the openpgp.js path gives for this key and passphrase. */
async function openpgpError(
  secret: Buffer,
  passphrase: string | undefined,
): Promise<{ code?: string; message: string }> {
  try {
    const key = await readPrivateKeyBlob(secret, WHAT);
    const label = `${WHAT} ${key.getFingerprint().toUpperCase()}`;
    await unlockPrivateKey(key, passphrase, label);
  } catch (err) {
    const e = err as { code?: string; message: string };
    return { code: e.code, message: e.message };
  }
  throw new Error('the openpgp.js path did not fail');
}

/** `blob` with byte `from`-from-the-end of the first packet's body flipped. */
function corruptPrimary(blob: Buffer, from: number): Buffer {
  const packets = readPackets(blob);
  const body = Buffer.from(packets[0]!.body);
  body[body.length - from]! ^= 0x55;
  return Buffer.concat([
    writePacket(packets[0]!.tag, body),
    ...packets.slice(1).map((p) => writePacket(p.tag, p.body)),
  ]);
}

async function verifies(signed: Buffer, publicKey: Buffer): Promise<string> {
  const verifier = await newPGPVerifier([publicKey]);
  return (await verifier.verify(signed)).keyIdentity;
}

describeWithPeers('native signing fallbacks and errors', ['gpg'], () => {
  let home: GpgHome;
  let rsa: GpgKey;
  let ed: GpgKey;
  beforeAll(async () => {
    home = await gpgHome('imgsign-native-fallback-');
    rsa = await makeGpgKey(home, {
      uid: 'Protected <rsa@example.com>',
      algo: 'rsa2048',
      passphrase: 'right one',
    });
    ed = await makeGpgKey(home, {
      uid: 'Open <ed@example.com>',
      algo: 'ed25519',
    });
  });
  afterAll(async () => {
    await home?.close();
  });

  describe('when a passphrase is wrong or missing', () => {
    it('reports a wrong passphrase natively, exactly as the openpgp.js path does', async () => {
      const fresh = await signFresh(rsa.secret, 'wrong');
      expect(fresh.loaded).toBe(false);
      expect(fresh.error).toEqual(await openpgpError(rsa.secret, 'wrong'));
      expect(fresh.error?.code).toBe('PASSPHRASE');
    });

    it('reports a missing passphrase natively, exactly as the openpgp.js path does', async () => {
      const fresh = await signFresh(rsa.secretArmored, undefined);
      expect(fresh.loaded).toBe(false);
      expect(fresh.error).toEqual(
        await openpgpError(rsa.secretArmored, undefined),
      );
    });

    it('asks once and signs natively when a prompt is available', async () => {
      const fresh = await signFresh(rsa.secret, undefined, 'right one');
      expect(fresh.asked).toEqual([
        `Passphrase for ${WHAT} ${rsa.fingerprint}: `,
      ]);
      expect(fresh.loaded).toBe(false);
      expect(await verifies(fresh.signed!, rsa.publicKey)).toBe(
        rsa.fingerprint,
      );
    });
  });

  describe('when the secret key packet is corrupted', () => {
    it('a protected key fails like the openpgp.js path', async () => {
      const bad = corruptPrimary(rsa.secret, 30);
      const fresh = await signFresh(bad, 'right one');
      expect(fresh.error).toEqual(await openpgpError(bad, 'right one'));
    });

    it('an unprotected key (checksum mismatch) fails like the openpgp.js path', async () => {
      const bad = corruptPrimary(ed.secret, 5);
      const fresh = await signFresh(bad, undefined);
      expect(fresh.loaded).toBe(true);
      expect(fresh.error).toEqual(await openpgpError(bad, undefined));
      expect(fresh.error?.code).toBe('KEY_INVALID');
    });
  });

  describe('keys the native path leaves to openpgp.js', () => {
    it('a key with a signing subkey signs with the subkey through openpgp.js', async () => {
      const uid = 'Subkey signer <sub@example.com>';
      await home.gpg([
        '--passphrase',
        '',
        '--quick-gen-key',
        uid,
        'ed25519',
        'cert',
        'never',
      ]);
      const fpr = /^fpr:+([0-9A-F]{40}):/m.exec(
        (
          await home.gpg(['--with-colons', '--list-keys', `=${uid}`])
        ).toString(),
      )![1]!;
      await home.gpg([
        '--passphrase',
        '',
        '--quick-add-key',
        fpr,
        'ed25519',
        'sign',
        'never',
      ]);
      const secret = await home.gpg([
        '--passphrase',
        '',
        '--export-secret-keys',
        fpr,
      ]);
      const fresh = await signFresh(secret, undefined);
      expect(fresh.loaded).toBe(true);
      const sigFile = join(home.dir, 'subkey.sig');
      await writeFile(sigFile, fresh.signed!);
      const status = (
        await home.gpg([
          '--status-fd',
          '1',
          '--output',
          '/dev/null',
          '--decrypt',
          sigFile,
        ])
      ).toString();
      // VALIDSIG <signing subkey> … <primary>
      expect(status).toMatch(
        new RegExp(`VALIDSIG (?!${fpr})[0-9A-F]{40} .* ${fpr}\\n`),
      );
    });

    it('an argon2 + AEAD protected openpgp.js key signs through openpgp.js, asking once', async () => {
      const { privateKey, publicKey } = await openpgp.generateKey({
        userIDs: [{ name: 'Argon', email: 'argon@example.com' }],
        type: 'ecc',
        curve: 'ed25519Legacy',
        passphrase: 'argon pass',
        config: { aeadProtect: true, s2kType: openpgp.enums.s2k.argon2 },
        format: 'binary',
      });
      const fresh = await signFresh(
        Buffer.from(privateKey),
        undefined,
        'argon pass',
      );
      expect(fresh.loaded).toBe(true);
      expect(fresh.asked).toHaveLength(1);
      const key = await openpgp.readKey({ binaryKey: publicKey });
      expect(await verifies(fresh.signed!, Buffer.from(publicKey))).toBe(
        key.getFingerprint().toUpperCase(),
      );
    });

    it('an expired key is refused as before', async () => {
      const { privateKey } = await openpgp.generateKey({
        userIDs: [{ name: 'Expired', email: 'expired@example.com' }],
        type: 'ecc',
        curve: 'ed25519Legacy',
        keyExpirationTime: 60,
        date: new Date(Date.now() - 86400_000),
        format: 'binary',
      });
      const fresh = await signFresh(Buffer.from(privateKey), undefined);
      expect(fresh.loaded).toBe(true);
      expect(fresh.error?.code).toBe('KEY_INVALID');
      expect(fresh.error?.message).toMatch(/cannot sign: .*expired/);
    });
  });
});
