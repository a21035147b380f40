import {
  createCipheriv,
  createHash,
  createPublicKey,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPackets } from '../../../../../src/signature/pgp/packets.js';
import {
  parsePublicKeyPacket,
  UnsupportedOpenPGPError,
} from '../../../../../src/signature/pgp/native/key-packet.js';
import {
  parseSecretKeyPacket,
  unlockSecretKey,
} from '../../../../../src/signature/pgp/native/secret-key.js';
import { writePacket } from '../../../../../src/signature/pgp/native/sign.js';
import { describeWithPeers } from '../../../../helpers/peers.js';
import { gpgHome, makeGpgKey, type GpgHome, type GpgKey } from './gpg-keys.js';

/**
 * Secret-key packets: every protection gpg 2.2 and openpgp.js v6 write
 * (and the other RFC 9580 usage-254 variants, checked against openpgp.js
 * as the oracle) unlock natively to the key's own private key; everything
 * else is UnsupportedOpenPGPError so that openpgp.js takes over.
 */
const jwk = (k: KeyObject): object =>
  (k.type === 'private' ? createPublicKey(k) : k).export({ format: 'jwk' });

function unlockFirst(blob: Buffer, passphrase?: string): KeyObject {
  const locked = parseSecretKeyPacket(readPackets(blob)[0]!.body);
  const key = unlockSecretKey(locked, passphrase, 'the key');
  expect(jwk(key)).toEqual(jwk(locked.key.publicKey));
  return key;
}

/** RFC 9580 §3.7.1 S2K, written independently of the code under test. */
function s2k(
  hash: string,
  salt: Buffer,
  count: number,
  passphrase: string,
  size: number,
): Buffer {
  const unit = Buffer.concat([salt, Buffer.from(passphrase)]);
  let input = unit;
  if (count > unit.length) {
    input = Buffer.alloc(count);
    for (let i = 0; i < count; i += unit.length) unit.copy(input, i);
  }
  const out: Buffer[] = [];
  for (let i = 0; Buffer.concat(out).length < size; i++) {
    out.push(
      createHash(hash)
        .update(Buffer.concat([Buffer.alloc(i), input]))
        .digest(),
    );
  }
  return Buffer.concat(out).subarray(0, size);
}

const CIPHERS = {
  7: ['aes-128-cfb', 16],
  8: ['aes-192-cfb', 24],
  9: ['aes-256-cfb', 32],
} as const;
const HASHES = { 2: 'sha1', 8: 'sha256', 10: 'sha512' } as const;

/** `blob` (unprotected) with its primary key re-protected as described. */
function protect(
  blob: Buffer,
  passphrase: string,
  o: { cipher: 7 | 8 | 9; hash: 2 | 8 | 10; type: 1 | 3 },
): Buffer {
  const packets = readPackets(blob);
  const body = packets[0]!.body;
  const { end } = parsePublicKeyPacket(body);
  const clear = body.subarray(end + 1, -2);
  const salt = randomBytes(8);
  const countByte = 0x60;
  const count =
    o.type === 3 ? (16 + (countByte & 15)) << ((countByte >> 4) + 6) : 0;
  const [name, size] = CIPHERS[o.cipher];
  const key = s2k(HASHES[o.hash], salt, count, passphrase, size);
  const iv = randomBytes(16);
  const c = createCipheriv(name, key, iv);
  const sealed = Buffer.concat([
    c.update(Buffer.concat([clear, createHash('sha1').update(clear).digest()])),
    c.final(),
  ]);
  const protectedBody = Buffer.concat([
    body.subarray(0, end),
    Buffer.from([254, o.cipher, o.type, o.hash]),
    salt,
    o.type === 3 ? Buffer.from([countByte]) : Buffer.alloc(0),
    iv,
    sealed,
  ]);
  return Buffer.concat([
    writePacket(5, protectedBody),
    ...packets.slice(1).map((p) => writePacket(p.tag, p.body)),
  ]);
}

describeWithPeers('native secret keys', ['gpg'], () => {
  let home: GpgHome;
  const keys: Record<string, GpgKey> = {};
  beforeAll(async () => {
    home = await gpgHome('imgsign-native-secret-');
    for (const algo of ['rsa2048', 'ed25519', 'nistp256', 'nistp521']) {
      keys[algo] = await makeGpgKey(home, {
        uid: `${algo} <${algo}@example.com>`,
        algo,
        passphrase: `${algo} pass`,
      });
      keys[`${algo}-open`] = await makeGpgKey(home, {
        uid: `${algo} open <${algo}-open@example.com>`,
        algo,
        usage: 'default',
      });
    }
  }, 120_000);
  afterAll(async () => {
    await home?.close();
  });

  describe('as gpg 2.2 exports them', () => {
    for (const algo of ['rsa2048', 'ed25519', 'nistp256', 'nistp521']) {
      it(`${algo}: protected and unprotected unlock to the key's own private key`, () => {
        unlockFirst(keys[algo]!.secret, `${algo} pass`);
        unlockFirst(keys[`${algo}-open`]!.secret);
      });
    }

    it('a wrong passphrase is the PASSPHRASE error', () => {
      const locked = parseSecretKeyPacket(
        readPackets(keys['ed25519']!.secret)[0]!.body,
      );
      expect(locked.isEncrypted).toBe(true);
      expect(() => unlockSecretKey(locked, 'nope', 'key X')).toThrow(
        expect.objectContaining({
          code: 'PASSPHRASE',
          message:
            'cannot unlock key X: wrong passphrase (Error decrypting private key: Incorrect key passphrase)',
        }),
      );
    });
  });

  describe('other usage-254 protections (openpgp.js as the oracle)', () => {
    const variants = [
      { cipher: 9, hash: 10, type: 1 },
      { cipher: 8, hash: 8, type: 3 },
      { cipher: 7, hash: 10, type: 3 },
      { cipher: 9, hash: 2, type: 1 },
    ] as const;
    for (const v of variants) {
      it(`cipher ${v.cipher}, hash ${v.hash}, S2K type ${v.type}`, async () => {
        for (const algo of ['rsa2048-open', 'ed25519-open']) {
          const blob = protect(keys[algo]!.secret, 'variant pass', v);
          const ref = await openpgp.readPrivateKey({ binaryKey: blob });
          await openpgp.decryptKey({
            privateKey: ref,
            passphrase: 'variant pass',
          });
          unlockFirst(blob, 'variant pass');
          const locked = parseSecretKeyPacket(readPackets(blob)[0]!.body);
          expect(() => unlockSecretKey(locked, 'wrong', 'k')).toThrow(
            /wrong passphrase/,
          );
        }
      });
    }
  });

  describe('what is left to openpgp.js', () => {
    const unsupportedFirst = (blob: Buffer): void => {
      expect(() => parseSecretKeyPacket(readPackets(blob)[0]!.body)).toThrow(
        UnsupportedOpenPGPError,
      );
    };

    it('S2K usage 255, CAST5 and an argon2 (type 4) specifier', () => {
      const blob = protect(keys['ed25519-open']!.secret, 'p', {
        cipher: 9,
        hash: 8,
        type: 3,
      });
      const packets = readPackets(blob);
      const body = Buffer.from(packets[0]!.body);
      const { end } = parsePublicKeyPacket(body);
      const usage255 = Buffer.from(body);
      usage255[end] = 255;
      unsupportedFirst(writePacket(5, usage255));
      const cast5 = Buffer.from(body);
      cast5[end + 1] = 3;
      unsupportedFirst(writePacket(5, cast5));
      const argon2 = Buffer.from(body);
      argon2[end + 2] = 4;
      unsupportedFirst(writePacket(5, argon2));
    });

    it('argon2 S2K and AEAD protection (openpgp.js)', async () => {
      const configs: openpgp.PartialConfig[] = [
        { s2kType: openpgp.enums.s2k.argon2, aeadProtect: true },
        { aeadProtect: true },
      ];
      for (const config of configs) {
        const { privateKey } = await openpgp.generateKey({
          userIDs: [{ name: 'A', email: 'a@example.com' }],
          type: 'ecc',
          curve: 'ed25519Legacy',
          passphrase: 'p',
          config,
          format: 'binary',
        });
        unsupportedFirst(Buffer.from(privateKey));
      }
    });

    it('a gnu-dummy primary key (gpg --export-secret-subkeys)', async () => {
      const fpr = keys['rsa2048-open']!.fingerprint;
      const blob = await home.gpg([
        '--passphrase',
        '',
        '--export-secret-subkeys',
        fpr,
      ]);
      unsupportedFirst(blob);
    });

    it('a V6 key', async () => {
      const { privateKey } = await openpgp.generateKey({
        userIDs: [{ name: 'V6', email: 'v6@example.com' }],
        config: { v6Keys: true },
        format: 'binary',
      });
      unsupportedFirst(Buffer.from(privateKey));
    });
  });
});
