import {
  parsePublicKeyPacket,
  readCanonicalMpi,
  UnsupportedOpenPGPError,
  v4Fingerprint,
  type PublicKeyPacket,
} from './key-packet.js';
import { parseV4Signature, type V4Signature } from './signature-packet.js';

/**
 * Transferable public keys (RFC 9580 §10.1) read natively from a keyring
 * blob: binary (concatenated keys) or ASCII-armored key blocks. Any packet
 * or structure openpgp.js would treat differently (or that we would rather
 * not judge) throws UnsupportedOpenPGPError, and the caller falls back to
 * openpgp.js for the whole keyring.
 */

export interface NativeUser {
  /** The user ID packet body (UTF-8 that round-trips, as openpgp.js re-encodes it). */
  userID: Buffer;
  selfCertifications: V4Signature[];
  /** Certification revocations (0x30) present: not evaluated natively. */
  revoked: boolean;
}

export interface NativeSubkey {
  /** 40 uppercase hex. */
  fingerprint: string;
  /** 16 uppercase hex. */
  keyID: string;
  /** The parsed key; undefined for encryption-only algorithms (ECDH, X25519, ElGamal, RSA encrypt-only), kept only for their identity. */
  key?: PublicKeyPacket;
  bindingSignatures: V4Signature[];
  /** Subkey revocations (0x28) present: not evaluated natively. */
  revoked: boolean;
}

export interface TransferableKey {
  primary: PublicKeyPacket;
  users: NativeUser[];
  subkeys: NativeSubkey[];
  directSignatures: V4Signature[];
  /** Key revocations (0x20), or 0x30 before any user ID. */
  revocationSignatures: V4Signature[];
}

export interface RawPacket {
  tag: number;
  body: Buffer;
  /** New-format partial body lengths were used. */
  partial: boolean;
}

function unsupported(why: string): UnsupportedOpenPGPError {
  return new UnsupportedOpenPGPError(`native OpenPGP: ${why}`);
}

/** Split packets (RFC 9580 §4.2), throwing UnsupportedOpenPGPError on anything malformed. */
export function splitPackets(data: Buffer): RawPacket[] {
  const out: RawPacket[] = [];
  let pos = 0;
  const need = (n: number): void => {
    if (pos + n > data.length) throw unsupported('truncated packet');
  };
  while (pos < data.length) {
    // openpgp.js needs two bytes to start a packet
    need(2);
    const ctb = data[pos++] ?? 0;
    if ((ctb & 0x80) === 0) throw unsupported('invalid packet header');
    if (ctb & 0x40) {
      const parts: Buffer[] = [];
      let partial = false;
      for (;;) {
        need(1);
        const b0 = data[pos++] ?? 0;
        let len: number;
        let more = false;
        if (b0 < 192) len = b0;
        else if (b0 < 224) {
          need(1);
          len = ((b0 - 192) << 8) + (data[pos++] ?? 0) + 192;
        } else if (b0 === 255) {
          need(4);
          len = data.readUInt32BE(pos);
          pos += 4;
        } else {
          len = 1 << (b0 & 0x1f);
          more = partial = true;
        }
        need(len);
        parts.push(data.subarray(pos, pos + len));
        pos += len;
        if (!more) break;
      }
      out.push({ tag: ctb & 0x3f, body: Buffer.concat(parts), partial });
    } else {
      const lt = ctb & 3;
      let len: number;
      if (lt === 3) len = data.length - pos;
      else {
        const n = [1, 2, 4][lt] ?? 1;
        need(n);
        len = data.readUIntBE(pos, n);
        pos += n;
      }
      need(len);
      out.push({
        tag: (ctb >> 2) & 0x0f,
        body: data.subarray(pos, pos + len),
        partial: false,
      });
      pos += len;
    }
  }
  return out;
}

const ARMOR_BLOCK =
  /-----BEGIN PGP (PUBLIC|PRIVATE) KEY BLOCK-----[\s\S]*?-----END PGP \1 KEY BLOCK-----/g;

function crc24(data: Buffer): number {
  let crc = 0xb704ce;
  for (const byte of data) {
    crc ^= byte << 16;
    for (let i = 0; i < 8; i++) {
      crc <<= 1;
      if (crc & 0x1000000) crc ^= 0x1864cfb;
    }
  }
  return crc & 0xffffff;
}

/** Strictly decode one armored key block (RFC 9580 §6.2); anything unusual is unsupported. */
export function dearmorKeyBlock(block: string): Buffer {
  const lines = block.split('\n').map((l) => l.replace(/[ \t\r]+$/, ''));
  let i = 1;
  while (i < lines.length && lines[i] !== '') {
    if (!/^([^\s:]|[^\s:][^:]*[^\s:]): .+$/.test(lines[i]!))
      throw unsupported('armor header');
    i++;
  }
  const body: string[] = [];
  let checksum: string | undefined;
  for (i++; i < lines.length - 1; i++) {
    const line = lines[i]!;
    if (checksum === undefined && /^=[A-Za-z0-9+/]{4}$/.test(line)) {
      checksum = line.slice(1);
    } else if (checksum === undefined && /^[A-Za-z0-9+/]*={0,2}$/.test(line)) {
      body.push(line);
    } else throw unsupported('armor body');
  }
  const b64 = body.join('');
  const data = Buffer.from(b64, 'base64');
  if (data.length === 0 || data.toString('base64') !== b64) {
    throw unsupported('armor base64');
  }
  if (checksum !== undefined) {
    const want = Buffer.from(checksum, 'base64').readUIntBE(0, 3);
    if (crc24(data) !== want) throw unsupported('armor checksum');
  }
  return data;
}

function roundTripsUtf8(b: Buffer): boolean {
  const s = new TextDecoder('utf-8').decode(b);
  return s.length <= 5 * 1024 && Buffer.from(s, 'utf8').equals(b);
}

function readKeys(data: Buffer, allowSecret: boolean): TransferableKey[] {
  const keys: TransferableKey[] = [];
  let key: TransferableKey | undefined;
  let user: NativeUser | undefined;
  let subkey: NativeSubkey | undefined;
  for (const p of splitPackets(data)) {
    if (p.tag === 12) continue; // trust packets: ignored, as by openpgp.js
    if (p.partial) throw unsupported('partial length in a key');
    const secret = p.tag === 5 || p.tag === 7;
    if (secret && !allowSecret) throw unsupported('secret key material');
    if (p.tag === 6 || p.tag === 5) {
      const { key: primary, end } = parsePublicKeyPacket(p.body);
      if (!secret && end !== p.body.length) throw unsupported('key packet');
      key = {
        primary,
        users: [],
        subkeys: [],
        directSignatures: [],
        revocationSignatures: [],
      };
      keys.push(key);
      user = subkey = undefined;
      continue;
    }
    if (!key) throw unsupported(`packet ${p.tag} before a key`);
    if (p.tag === 14 || p.tag === 7) {
      subkey = readSubkey(p.body, secret);
      key.subkeys.push(subkey);
      user = undefined;
    } else if (p.tag === 13) {
      if (!roundTripsUtf8(p.body)) throw unsupported('user ID encoding');
      user = { userID: p.body, selfCertifications: [], revoked: false };
      key.users.push(user);
    } else if (p.tag === 2) {
      const sig = parseV4Signature(p.body);
      // DSA certifications are parsed for key listing only; verification leaves them to openpgp.js
      if (sig.publicKeyAlgorithm === 17) throw unsupported('DSA signature');
      addSignature(key, user, subkey, sig);
    } else {
      throw unsupported(`packet type ${p.tag} in a key`);
    }
  }
  return keys;
}

const ECDH_OIDS = new Set([
  '2a8648ce3d030107',
  '2b81040022',
  '2b81040023',
  '2b060104019755010501',
]);

/**
 * The end of the public part of an encryption-only key (RFC 9580 §5.5.5),
 * read as strictly as parsePublicKeyPacket (canonical encodings only, so
 * that openpgp.js computes the same fingerprint).
 */
function encryptionKeyEnd(body: Buffer): number {
  if (body.length < 6 || body[0] !== 4) throw unsupported('subkey version');
  const algo = body[5];
  let pos = 6;
  if (algo === 2 || algo === 16) {
    for (let i = 0; i < (algo === 2 ? 2 : 3); i++) {
      pos = readCanonicalMpi(body, pos)[1];
    }
    return pos;
  }
  if (algo === 25) {
    if (pos + 32 > body.length) throw unsupported('truncated X25519 key');
    return pos + 32;
  }
  if (algo === 18) {
    const len = body[pos] ?? 0;
    const oid = body.subarray(pos + 1, pos + 1 + len).toString('hex');
    if (!ECDH_OIDS.has(oid)) throw unsupported(`ECDH curve ${oid}`);
    pos = readCanonicalMpi(body, pos + 1 + len)[1];
    if (pos + 4 > body.length || body[pos] !== 3 || body[pos + 1] !== 1) {
      throw unsupported('ECDH KDF parameters');
    }
    return pos + 4;
  }
  throw unsupported(`subkey algorithm ${algo}`);
}

function readSubkey(body: Buffer, secret: boolean): NativeSubkey {
  const base = { bindingSignatures: [], revoked: false };
  const algo = body[5];
  if (algo === 2 || algo === 16 || algo === 18 || algo === 25) {
    const end = encryptionKeyEnd(body);
    if (!secret && end !== body.length) throw unsupported('subkey packet');
    const fingerprint = v4Fingerprint(body.subarray(0, end));
    return { fingerprint, keyID: fingerprint.slice(24), ...base };
  }
  const { key, end } = parsePublicKeyPacket(body);
  if (!secret && end !== body.length) throw unsupported('subkey packet');
  return { fingerprint: key.fingerprint, keyID: key.keyID, key, ...base };
}

/** File a key signature where openpgp.js packetListToStructure would. */
function addSignature(
  key: TransferableKey,
  user: NativeUser | undefined,
  subkey: NativeSubkey | undefined,
  sig: V4Signature,
): void {
  const t = sig.sigType;
  if (t >= 0x10 && t <= 0x13) {
    if (!user) throw unsupported('certification without a user ID');
    // third-party certifications do not affect validity
    if (sig.issuerKeyID === key.primary.keyID)
      user.selfCertifications.push(sig);
  } else if (t === 0x30) {
    if (user) user.revoked = true;
    else key.revocationSignatures.push(sig);
  } else if (t === 0x1f) key.directSignatures.push(sig);
  else if (t === 0x20) key.revocationSignatures.push(sig);
  else if (t === 0x18 && subkey) subkey.bindingSignatures.push(sig);
  else if (t === 0x28 && subkey) subkey.revoked = true;
  else throw unsupported(`signature type 0x${t.toString(16)} in a key`);
}

export interface KeyringOptions {
  /** Read secret-key packets (tags 5/7) through their public part. */
  allowSecret?: boolean;
}

/**
 * Every key in a keyring blob, as verifier.ts readKeyringBlob splits it:
 * binary (possibly concatenated) or every ASCII-armored key block. Throws
 * UnsupportedOpenPGPError when any part is not handled natively.
 */
export function parseKeyringBlob(
  blob: Buffer,
  options: KeyringOptions = {},
): TransferableKey[] {
  if (blob.length === 0) return [];
  const allowSecret = options.allowSecret ?? false;
  const head = blob.subarray(0, 64).toString('latin1').trimStart();
  const keys: TransferableKey[] = [];
  if (head.startsWith('-----BEGIN')) {
    const blocks = blob.toString('utf8').match(ARMOR_BLOCK);
    if (!blocks) throw unsupported('no complete armored key block');
    for (const block of blocks) {
      const found = readKeys(dearmorKeyBlock(block), allowSecret);
      if (found.length === 0) throw unsupported('armored block without a key');
      keys.push(...found);
    }
  } else {
    keys.push(...readKeys(blob, allowSecret));
    if (keys.length === 0) throw unsupported('no key packet');
  }
  return keys;
}
