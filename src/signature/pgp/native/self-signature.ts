import { createHash, verify as cryptoVerify } from 'node:crypto';
import { UnsupportedOpenPGPError, type PublicKeyPacket } from './key-packet.js';

/**
 * The signatures of a transferable key that the native fast paths read
 * (RFC 9580 §5.2): user ID certifications and subkey bindings. Fields
 * are taken from the hashed area only, as openpgp.js does; subpacket
 * lengths and MPIs must be canonical (openpgp.js rewrites them), and a
 * self-certification is believed only once verified with node:crypto.
 */

function unsupported(why: string): UnsupportedOpenPGPError {
  return new UnsupportedOpenPGPError(`native OpenPGP: ${why}`);
}

/** The fields of a V4 self-certification that matter for signing and expiry. */
export interface SelfCertification {
  /** Unix seconds. */
  created: number;
  /** Seconds after `created`; 0 = never. */
  signatureExpiry: number;
  /** Seconds after the key's creation; 0 = never. */
  keyExpiry: number;
  /** First key-flags octet; undefined when absent. */
  keyFlags?: number;
  preferredHashes: number[];
  isPrimaryUserID: boolean;
}

export interface ParsedSignature {
  type: number;
  hashAlgorithm: number;
  issuer?: string;
  fields: SelfCertification;
  /** Critical subpacket openpgp.js would refuse, revocation key, … */
  refused: boolean;
  /** Version through hashed subpackets (what is hashed before the trailer). */
  head: Buffer;
  left16: Buffer;
  mpis: Buffer[];
}

/** Subpackets openpgp.js understands when critical (others make it refuse the signature). */
const KNOWN_CRITICAL = new Set([2, 3, 9, 11, 16, 21, 22, 25, 27, 30, 33]);

function parseSubpackets(
  area: Buffer,
  hashed: boolean,
  sig: ParsedSignature,
): void {
  let pos = 0;
  while (pos < area.length) {
    const b0 = area[pos]!;
    let len: number;
    let hl: number;
    if (b0 < 192) [len, hl] = [b0, 1];
    else if (b0 < 255)
      [len, hl] = [((b0 - 192) << 8) + (area[pos + 1] ?? 0) + 192, 2];
    else [len, hl] = [area.readUInt32BE(pos + 1), 5];
    // openpgp.js rewrites lengths in their shortest form: insist on it.
    if ((hl === 2 && len < 192) || (hl === 5 && len < 8384) || len < 1) {
      throw unsupported('non-canonical subpacket length');
    }
    const sp = area.subarray(pos + hl, pos + hl + len);
    if (sp.length !== len) throw unsupported('truncated subpacket');
    pos += hl + len;
    const critical = (sp[0]! & 0x80) !== 0;
    const type = sp[0]! & 0x7f;
    const data = sp.subarray(1);
    if (type === 16 && data.length === 8) {
      sig.issuer = data.toString('hex').toUpperCase();
    } else if (type === 33 && data.length === 21 && data[0] === 4) {
      sig.issuer ??= data.subarray(13).toString('hex').toUpperCase();
    }
    if (!hashed) continue;
    if ((critical && !KNOWN_CRITICAL.has(type)) || type === 12)
      sig.refused = true;
    const f = sig.fields;
    if (type === 2 && data.length === 4) f.created = data.readUInt32BE(0);
    else if (type === 3 && data.length === 4)
      f.signatureExpiry = data.readUInt32BE(0);
    else if (type === 9 && data.length === 4)
      f.keyExpiry = data.readUInt32BE(0);
    else if (type === 27 && data.length > 0) f.keyFlags = data[0];
    else if (type === 21) f.preferredHashes = [...data];
    else if (type === 25 && data.length === 1)
      f.isPrimaryUserID = data[0] !== 0;
    else if ([2, 3, 9].includes(type)) throw unsupported('odd subpacket size');
  }
}

function readMpis(body: Buffer, pos: number, count: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const bits = body.readUInt16BE(pos);
    const len = (bits + 7) >> 3;
    const v = body.subarray(pos + 2, pos + 2 + len);
    if (
      v.length !== len ||
      bits === 0 ||
      32 - Math.clz32(v[0]!) + (len - 1) * 8 !== bits
    ) {
      throw unsupported('non-canonical MPI');
    }
    out.push(v);
    pos += 2 + len;
  }
  if (pos !== body.length) throw unsupported('trailing signature data');
  return out;
}

export function parseSignature(
  body: Buffer,
  algorithm: number,
): ParsedSignature {
  if (body[0] !== 4 || body.length < 10) {
    throw unsupported(`signature version ${body[0]}`);
  }
  const hashedLen = body.readUInt16BE(4);
  const head = body.subarray(0, 6 + hashedLen);
  const unhashedLen = body.readUInt16BE(6 + hashedLen);
  const unhashed = body.subarray(8 + hashedLen, 8 + hashedLen + unhashedLen);
  const rest = 8 + hashedLen + unhashedLen;
  if (unhashed.length !== unhashedLen || rest + 2 > body.length) {
    throw unsupported('truncated signature');
  }
  const sig: ParsedSignature = {
    type: body[1]!,
    hashAlgorithm: body[3]!,
    refused: body[2] !== algorithm,
    fields: {
      created: -1,
      signatureExpiry: 0,
      keyExpiry: 0,
      preferredHashes: [],
      isPrimaryUserID: false,
    },
    head,
    left16: body.subarray(rest, rest + 2),
    mpis: [],
  };
  parseSubpackets(head.subarray(6), true, sig);
  parseSubpackets(unhashed, false, sig);
  if (sig.fields.created < 0)
    throw unsupported('signature without creation time');
  if (body[2] === 27) {
    sig.mpis = [body.subarray(rest + 2)];
    if (sig.mpis[0]!.length !== 64) throw unsupported('bad Ed25519 signature');
  } else {
    sig.mpis = readMpis(body, rest + 2, body[2] === 1 || body[2] === 3 ? 1 : 2);
  }
  return sig;
}

const VERIFY_HASHES: Record<number, string> = {
  2: 'sha1',
  8: 'sha256',
  9: 'sha384',
  10: 'sha512',
  11: 'sha224',
};

function pad(b: Buffer, size: number): Buffer {
  return b.length >= size
    ? b
    : Buffer.concat([Buffer.alloc(size - b.length), b]);
}

/** Verify a certification of `uid` by `key` (RFC 9580 §5.2.4). */
export function verifyCertification(
  key: PublicKeyPacket,
  uid: Buffer,
  sig: ParsedSignature,
): boolean {
  const hashName = VERIFY_HASHES[sig.hashAlgorithm];
  if (!hashName) throw unsupported(`self-signature hash ${sig.hashAlgorithm}`);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(uid.length);
  const kh = Buffer.from([
    0x99,
    key.publicBody.length >> 8,
    key.publicBody.length & 0xff,
  ]);
  const trailer = Buffer.from([4, 0xff, 0, 0, 0, 0]);
  trailer.writeUInt32BE(sig.head.length, 2);
  const data = Buffer.concat([
    kh,
    key.publicBody,
    Buffer.from([0xb4]),
    len,
    uid,
    sig.head,
    trailer,
  ]);
  const digest = createHash(hashName).update(data).digest();
  if (!digest.subarray(0, 2).equals(sig.left16)) return false;
  const [a, b] = sig.mpis as [Buffer, Buffer | undefined];
  try {
    if (key.algorithm === 1 || key.algorithm === 3) {
      return cryptoVerify(
        hashName,
        data,
        key.publicKey,
        pad(a, key.params['n']!.length),
      );
    }
    if (key.algorithm === 19) {
      const size = key.params['x']!.length;
      const rs = Buffer.concat([pad(a, size), pad(b!, size)]);
      return cryptoVerify(
        hashName,
        data,
        { key: key.publicKey, dsaEncoding: 'ieee-p1363' },
        rs,
      );
    }
    const rs =
      key.algorithm === 27 ? a : Buffer.concat([pad(a, 32), pad(b!, 32)]);
    return cryptoVerify(null, digest, key.publicKey, rs);
  } catch {
    return false;
  }
}
