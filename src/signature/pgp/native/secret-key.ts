import {
  createDecipheriv,
  createHash,
  createPrivateKey,
  type KeyObject,
} from 'node:crypto';
import { ImgsignError } from '../../../errors.js';
import {
  parsePublicKeyPacket,
  UnsupportedOpenPGPError,
  type PublicKeyPacket,
} from './key-packet.js';

/**
 * Native reading of V4 secret-key (tag 5) and secret-subkey (tag 7)
 * packets (RFC 9580 §5.5.3) for the signing fast path: unprotected keys
 * (S2K usage 0, 2-byte checksum) and the protection gpg 2.2 and
 * openpgp.js v6 write by default (usage 254, salted or iterated+salted
 * S2K over SHA-1/256/512, AES in CFB mode, SHA-1 check). Anything else
 * throws UnsupportedOpenPGPError so that callers fall back to openpgp.js.
 */

export interface LockedSecretKey {
  key: PublicKeyPacket;
  /** The secret part is passphrase-protected. */
  isEncrypted: boolean;
  /** Secret part of the body (S2K usage octet onwards). */
  secretPart: Buffer;
}

const CIPHERS: Record<number, { name: string; keySize: number }> = {
  7: { name: 'aes-128-cfb', keySize: 16 },
  8: { name: 'aes-192-cfb', keySize: 24 },
  9: { name: 'aes-256-cfb', keySize: 32 },
};
const HASHES: Record<number, string> = { 2: 'sha1', 8: 'sha256', 10: 'sha512' };

function unsupported(why: string): UnsupportedOpenPGPError {
  return new UnsupportedOpenPGPError(`native OpenPGP: ${why}`);
}

/** Parse a secret-key or secret-subkey packet body; nothing is decrypted yet. */
export function parseSecretKeyPacket(body: Buffer): LockedSecretKey {
  const { key, end } = parsePublicKeyPacket(body);
  const secretPart = body.subarray(end);
  assertSupportedProtection(secretPart);
  return { key, isEncrypted: secretPart[0] === 254, secretPart };
}

/** UnsupportedOpenPGPError unless the secret part (usage octet onwards) is one this file decrypts. */
export function assertSupportedProtection(secretPart: Buffer): void {
  const usage = secretPart[0];
  if (usage !== 0 && usage !== 254) {
    throw unsupported(`secret key S2K usage ${usage ?? 'missing'}`);
  }
  if (usage === 254) s2kParams(secretPart);
}

interface S2KParams {
  cipher: { name: string; keySize: number };
  hash: string;
  salt: Buffer;
  /** Bytes hashed; 0 for salted (type 1) S2K. */
  count: number;
  iv: Buffer;
  encrypted: Buffer;
}

/** The protection of a usage-254 secret part, or UnsupportedOpenPGPError. */
function s2kParams(secretPart: Buffer): S2KParams {
  const cipher = CIPHERS[secretPart[1] ?? -1];
  if (!cipher) throw unsupported(`secret key cipher ${secretPart[1]}`);
  const s2kType = secretPart[2];
  const hash = HASHES[secretPart[3] ?? -1];
  if (!hash) throw unsupported(`S2K hash ${secretPart[3]}`);
  if (s2kType !== 1 && s2kType !== 3) {
    throw unsupported(`S2K specifier type ${s2kType}`);
  }
  const salt = secretPart.subarray(4, 12);
  let pos = 12;
  let count = 0;
  if (s2kType === 3) {
    const c = secretPart[12] ?? 0;
    count = (16 + (c & 15)) << ((c >> 4) + 6);
    pos = 13;
  }
  const iv = secretPart.subarray(pos, pos + 16);
  const encrypted = secretPart.subarray(pos + 16);
  if (salt.length !== 8 || iv.length !== 16 || encrypted.length <= 20) {
    throw unsupported('truncated secret key');
  }
  return { cipher, hash, salt, count, iv, encrypted };
}

/** RFC 9580 §3.7.1: simple/salted/iterated S2K producing `size` key bytes. */
function deriveKey(
  hash: string,
  salt: Buffer,
  count: number,
  passphrase: Buffer,
  size: number,
): Buffer {
  const unit = Buffer.concat([salt, passphrase]);
  const total = Math.max(count, unit.length);
  // One block of repeated salt‖passphrase, fed whole as often as it fits.
  const reps = Math.max(1, Math.floor(65536 / unit.length));
  const block = Buffer.alloc(unit.length * reps);
  for (let i = 0; i < reps; i++) unit.copy(block, i * unit.length);
  const parts: Buffer[] = [];
  let have = 0;
  for (let round = 0; have < size; round++) {
    const h = createHash(hash);
    if (round > 0) h.update(Buffer.alloc(round));
    let left = total;
    while (left >= block.length) {
      h.update(block);
      left -= block.length;
    }
    if (left > 0) h.update(block.subarray(0, left));
    const digest = h.digest();
    parts.push(digest);
    have += digest.length;
  }
  block.fill(0);
  unit.fill(0);
  const out = Buffer.concat(parts);
  for (const p of parts) p.fill(0);
  const key = Buffer.from(out.subarray(0, size));
  out.fill(0);
  return key;
}

/** The cleartext secret MPIs of a usage-254 packet; undefined on a wrong passphrase. */
function decryptSecret(
  secretPart: Buffer,
  passphrase: string,
): Buffer | undefined {
  const { cipher, hash, salt, count, iv, encrypted } = s2kParams(secretPart);
  const pw = Buffer.from(passphrase, 'utf8');
  const key = deriveKey(hash, salt, count, pw, cipher.keySize);
  pw.fill(0);
  const d = createDecipheriv(cipher.name, key, iv);
  const clear = Buffer.concat([d.update(encrypted), d.final()]);
  key.fill(0);
  const body = clear.subarray(0, -20);
  const check = createHash('sha1').update(body).digest();
  if (!check.equals(clear.subarray(-20))) {
    clear.fill(0);
    return undefined;
  }
  return body;
}

function readMpi(buf: Buffer, pos: number): [Buffer, number] {
  if (pos + 2 > buf.length) throw unsupported('truncated secret MPI');
  const len = (buf.readUInt16BE(pos) + 7) >> 3;
  if (pos + 2 + len > buf.length) throw unsupported('truncated secret MPI');
  return [buf.subarray(pos + 2, pos + 2 + len), pos + 2 + len];
}

function big(b: Buffer): bigint {
  return b.length === 0 ? 0n : BigInt(`0x${b.toString('hex')}`);
}

function b64u(n: bigint | Buffer): string {
  if (Buffer.isBuffer(n)) return n.toString('base64url');
  let hex = n.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  return Buffer.from(hex, 'hex').toString('base64url');
}

function leftPad(b: Buffer, size: number): Buffer {
  if (b.length > size) throw unsupported('secret scalar too long');
  return Buffer.concat([Buffer.alloc(size - b.length), b]);
}

/** node:crypto private key from the cleartext secret MPIs. */
function privateKeyObject(key: PublicKeyPacket, clear: Buffer): KeyObject {
  const p = key.params;
  let jwk: Record<string, string>;
  let end: number;
  if (key.algorithm === 1 || key.algorithm === 3) {
    const [d, p1] = readMpi(clear, 0);
    const [pp, p2] = readMpi(clear, p1);
    const [qq, p3] = readMpi(clear, p2);
    const [u, p4] = readMpi(clear, p3);
    end = p4;
    // OpenPGP stores u = p⁻¹ mod q; JWK wants qi = q⁻¹ mod p: swap p and q.
    const [dn, pn, qn] = [big(d), big(qq), big(pp)];
    if (pn * qn !== big(p.n!)) throw unsupported('RSA p·q ≠ n');
    jwk = {
      kty: 'RSA',
      n: b64u(p.n!),
      e: b64u(p.e!),
      d: b64u(d),
      p: b64u(pn),
      q: b64u(qn),
      dp: b64u(dn % (pn - 1n)),
      dq: b64u(dn % (qn - 1n)),
      qi: b64u(u),
    };
  } else if (key.algorithm === 19) {
    const [scalar, p1] = readMpi(clear, 0);
    end = p1;
    const d = leftPad(scalar, p.x!.length);
    jwk = {
      kty: 'EC',
      crv: key.curve!,
      x: b64u(p.x!),
      y: b64u(p.y!),
      d: b64u(d),
    };
    d.fill(0);
  } else if (key.algorithm === 22) {
    const [seed, p1] = readMpi(clear, 0);
    end = p1;
    const d = leftPad(seed, 32);
    jwk = { kty: 'OKP', crv: 'Ed25519', x: b64u(p.x!), d: b64u(d) };
    d.fill(0);
  } else if (key.algorithm === 27) {
    end = 32;
    jwk = {
      kty: 'OKP',
      crv: 'Ed25519',
      x: b64u(p.x!),
      d: b64u(clear.subarray(0, 32)),
    };
  } else {
    throw unsupported(`secret key algorithm ${key.algorithm}`);
  }
  if (end !== clear.length) throw unsupported('trailing secret key data');
  try {
    return createPrivateKey({ key: jwk, format: 'jwk' });
  } catch (err) {
    throw new UnsupportedOpenPGPError(
      'native OpenPGP: secret key rejected by node:crypto',
      { cause: err },
    );
  }
}

/**
 * The private key of `locked` as node:crypto uses it. A wrong passphrase
 * is the PASSPHRASE error signer.ts gives for openpgp.js; `passphrase`
 * must be defined for protected keys (callers prompt first). Corrupt or
 * unusual secret material throws UnsupportedOpenPGPError (openpgp.js then
 * reports it).
 */
export function unlockSecretKey(
  locked: LockedSecretKey,
  passphrase: string | undefined,
  what: string,
): KeyObject {
  let clear: Buffer | undefined;
  if (!locked.isEncrypted) {
    const body = locked.secretPart.subarray(1);
    if (body.length < 3) throw unsupported('truncated secret key');
    clear = Buffer.from(body.subarray(0, -2));
    let sum = 0;
    for (const b of clear) sum = (sum + b) & 0xffff;
    if (sum !== body.readUInt16BE(body.length - 2)) {
      clear.fill(0);
      throw unsupported('secret key checksum mismatch');
    }
  } else {
    if (passphrase === undefined) {
      throw new ImgsignError(
        'PASSPHRASE',
        `${what} is protected by a passphrase: pass it with --passphrase-file, --passphrase-fd or --passphrase-env`,
      );
    }
    clear = decryptSecret(locked.secretPart, passphrase);
    if (clear === undefined) {
      throw new ImgsignError(
        'PASSPHRASE',
        `cannot unlock ${what}: wrong passphrase (Error decrypting private key: Incorrect key passphrase)`,
      );
    }
  }
  try {
    return privateKeyObject(locked.key, clear);
  } finally {
    clear.fill(0);
  }
}
