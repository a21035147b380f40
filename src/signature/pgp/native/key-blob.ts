import { createHash, verify as cryptoVerify } from 'node:crypto';
import {
  parsePublicKeyPacket,
  UnsupportedOpenPGPError,
  v4Fingerprint,
  type PublicKeyPacket,
} from './key-packet.js';
import {
  assertSupportedProtection,
  parseSecretKeyPacket,
  type LockedSecretKey,
} from './secret-key.js';
import { writePacket } from './sign.js';
import {
  dearmorKeyBlock,
  splitPackets,
  type RawPacket,
} from './transferable-key.js';

/**
 * Native reading of whole transferable keys (RFC 9580 §10.1), armored or
 * binary, public or secret, for the signing and key-listing fast paths.
 * Only the plain shape gpg and openpgp.js write is accepted: a V4 primary
 * key, user IDs with certifications, subkeys with binding signatures, no
 * revocations, direct-key signatures, user attributes or trust packets.
 * Anything else throws UnsupportedOpenPGPError and callers fall back to
 * openpgp.js. Self-certifications are verified as openpgp.js does before
 * their key flags, expiry and hash preferences are believed.
 */

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

export interface BlobSubkey {
  fingerprint: string;
  algorithm: number;
  keyID: string;
  /** Might be chosen by openpgp.js as a signing subkey. */
  mayBeSigning: boolean;
  /** Secret subkeys: the secret part is passphrase-protected. */
  isEncrypted?: boolean;
}

export interface BlobKey {
  primary: PublicKeyPacket;
  /** Present for secret keys (tag 5). */
  secret?: LockedSecretKey;
  userIds: string[];
  /** Per user ID, its verified self-certifications (any order). */
  selfCertifications: SelfCertification[][];
  subkeys: BlobSubkey[];
  /** openpgp.js `key.toPublic().write()`. */
  publicBinary: Buffer;
  /** openpgp.js `key.write()`. */
  binary: Buffer;
}

interface ParsedSignature {
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

function unsupported(why: string): UnsupportedOpenPGPError {
  return new UnsupportedOpenPGPError(`native OpenPGP: ${why}`);
}

/** Binary key data of an armored (one or more blocks) or binary blob. */
export function dearmorKeyBlob(blob: Buffer): Buffer[] {
  const head = blob.subarray(0, 64).toString('latin1').trimStart();
  if (!head.startsWith('-----BEGIN')) return [blob];
  const blocks = blob
    .toString('utf8')
    .match(
      /-----BEGIN PGP (PUBLIC|PRIVATE) KEY BLOCK-----[\s\S]*?-----END PGP \1 KEY BLOCK-----/g,
    );
  if (!blocks) throw unsupported('no complete ASCII-armored key block');
  return blocks.map(dearmorKeyBlock);
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

function parseSignature(body: Buffer, algorithm: number): ParsedSignature {
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
function verifyCertification(
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

/** Public part of a subkey body: fingerprint, algorithm and where it ends. */
function parseSubkeyPublic(body: Buffer): {
  fingerprint: string;
  algorithm: number;
  end: number;
} {
  try {
    const { key, end } = parsePublicKeyPacket(body);
    return { fingerprint: key.fingerprint, algorithm: key.algorithm, end };
  } catch (err) {
    if (!(err instanceof UnsupportedOpenPGPError)) throw err;
    const algorithm = body[5] ?? 0;
    const native = algorithm === 25 ? 32 : algorithm === 26 ? 56 : 0;
    if (body[0] === 4 && native > 0 && body.length >= 6 + native) {
      // X25519 / X448: the public key as raw octets.
      const end = 6 + native;
      const fingerprint = v4Fingerprint(body.subarray(0, end));
      return { fingerprint, algorithm, end };
    }
    if (body[0] !== 4 || (algorithm !== 18 && algorithm !== 16)) throw err;
  }
  // ECDH (OID, point, KDF parameters) or Elgamal (p, g, y): only for encryption.
  let pos = 6;
  let mpis = 3;
  if (body[5] === 18) {
    const oidLen = body[6] ?? 0;
    if (oidLen === 0 || oidLen === 0xff) throw unsupported('bad curve OID');
    pos = 7 + oidLen;
    mpis = 1;
  }
  for (let i = 0; i < mpis; i++) {
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
    pos += 2 + len;
  }
  if (body[5] === 18) {
    if (body[pos] !== 3 || body[pos + 1] !== 1)
      throw unsupported('ECDH KDF parameters');
    pos += 4;
  }
  if (pos > body.length) throw unsupported('truncated subkey');
  return {
    fingerprint: v4Fingerprint(body.subarray(0, pos)),
    algorithm: body[5]!,
    end: pos,
  };
}

/** Algorithms openpgp.js never signs with (RSA encrypt-only, Elgamal, ECDH, X25519/X448). */
const ENCRYPTION_ONLY = new Set([2, 16, 18, 25, 26]);

/** Unencrypted secret parts must be canonical for openpgp.js to write them back unchanged. */
function checkSecretPart(secretPart: Buffer, algorithm: number): void {
  if (secretPart[0] !== 0) return;
  const clear = secretPart.subarray(1, -2);
  let sum = 0;
  for (const b of clear) sum = (sum + b) & 0xffff;
  if (
    secretPart.length < 4 ||
    sum !== secretPart.readUInt16BE(secretPart.length - 2)
  ) {
    throw unsupported('secret key checksum mismatch');
  }
  if (algorithm === 25 || algorithm === 26 || algorithm === 27) {
    if (clear.length !== (algorithm === 26 ? 56 : 32)) {
      throw unsupported('bad secret key length');
    }
    return;
  }
  const count = algorithm === 1 || algorithm === 3 ? 4 : 1;
  readMpis(clear, 0, count);
}

interface Builder {
  key: BlobKey;
  pub: Buffer[];
  all: Buffer[];
  /** Certifications of the current user ID: self first, then others. */
  uid?: { raw: Buffer; self: Buffer[]; other: Buffer[] };
  inSubkey: boolean;
}

function flushUid(b: Builder): void {
  if (!b.uid) return;
  const out = [...b.uid.self, ...b.uid.other];
  b.pub.push(...out);
  b.all.push(...out);
  b.uid = undefined;
}

function startKey(p: RawPacket): Builder {
  let primary: PublicKeyPacket;
  let secret: LockedSecretKey | undefined;
  if (p.tag === 5) {
    secret = parseSecretKeyPacket(p.body);
    primary = secret.key;
    checkSecretPart(secret.secretPart, primary.algorithm);
  } else {
    const parsed = parsePublicKeyPacket(p.body);
    if (parsed.end !== p.body.length) throw unsupported('trailing key data');
    primary = parsed.key;
  }
  if (primary.bits !== undefined && primary.bits < 2047) {
    throw unsupported('RSA key shorter than openpgp.js accepts');
  }
  const key: BlobKey = {
    primary,
    ...(secret ? { secret } : {}),
    userIds: [],
    selfCertifications: [],
    subkeys: [],
    publicBinary: Buffer.alloc(0),
    binary: Buffer.alloc(0),
  };
  return {
    key,
    pub: [writePacket(6, primary.publicBody)],
    all: [writePacket(p.tag, p.body)],
    inSubkey: false,
  };
}

function addSignature(b: Builder, p: RawPacket): void {
  const { primary } = b.key;
  const sig = parseSignature(p.body, primary.algorithm);
  const packet = writePacket(2, p.body);
  if (b.uid && !b.inSubkey) {
    if (sig.type < 0x10 || sig.type > 0x13)
      throw unsupported(`signature type ${sig.type} on a user ID`);
    if (sig.issuer !== primary.keyID) {
      b.uid.other.push(packet);
      return;
    }
    b.uid.self.push(packet);
    const valid = !sig.refused && verifyCertification(primary, b.uid.raw, sig);
    if (valid) b.key.selfCertifications.at(-1)!.push(sig.fields);
    return;
  }
  const sub = b.key.subkeys.at(-1);
  if (
    !b.inSubkey ||
    !sub ||
    sig.type !== 0x18 ||
    sig.issuer !== primary.keyID
  ) {
    throw unsupported(`signature type ${sig.type} outside a user ID`);
  }
  const flags = sig.fields.keyFlags;
  if (
    !ENCRYPTION_ONLY.has(sub.algorithm) &&
    (flags === undefined || (flags & 0x02) !== 0)
  ) {
    sub.mayBeSigning = true;
  }
  b.pub.push(packet);
  b.all.push(packet);
}

function finish(b: Builder): BlobKey {
  flushUid(b);
  if (b.key.userIds.length === 0) throw unsupported('key without user IDs');
  b.key.publicBinary = Buffer.concat(b.pub);
  b.key.binary = Buffer.concat(b.all);
  return b.key;
}

/** Every key in a blob (armored or binary); UnsupportedOpenPGPError for anything unusual. */
export function readKeyBlobNatively(blob: Buffer): BlobKey[] {
  try {
    return readKeys(blob);
  } catch (err) {
    // Bounds errors of malformed input too: openpgp.js reports those.
    if (err instanceof UnsupportedOpenPGPError) throw err;
    throw new UnsupportedOpenPGPError('native OpenPGP: malformed key', {
      cause: err,
    });
  }
}

function readKeys(blob: Buffer): BlobKey[] {
  const keys: BlobKey[] = [];
  for (const data of dearmorKeyBlob(blob)) {
    let b: Builder | undefined;
    for (const p of splitPackets(data)) {
      if (p.partial) throw unsupported('partial length in a key');
      if (p.tag === 12) continue; // trust packets: openpgp.js drops them
      if (p.tag === 5 || p.tag === 6) {
        if (b) keys.push(finish(b));
        b = startKey(p);
      } else if (!b) {
        throw unsupported(`packet ${p.tag} before the primary key`);
      } else if (p.tag === 13 && !b.inSubkey) {
        flushUid(b);
        // openpgp.js re-encodes user IDs: only those that round-trip.
        const uid = new TextDecoder('utf-8').decode(p.body);
        if (uid.length > 5120 || !Buffer.from(uid, 'utf8').equals(p.body)) {
          throw unsupported('user ID that openpgp.js would rewrite');
        }
        b.uid = { raw: p.body, self: [], other: [] };
        b.key.userIds.push(uid);
        b.key.selfCertifications.push([]);
        const packet = writePacket(13, p.body);
        b.pub.push(packet);
        b.all.push(packet);
      } else if (p.tag === 2) {
        addSignature(b, p);
      } else if (
        (p.tag === 7 && b.key.secret) ||
        (p.tag === 14 && !b.key.secret)
      ) {
        flushUid(b);
        b.inSubkey = true;
        const { fingerprint, algorithm, end } = parseSubkeyPublic(p.body);
        if (p.tag === 7) {
          const secretPart = p.body.subarray(end);
          assertSupportedProtection(secretPart);
          checkSecretPart(secretPart, algorithm);
        } else if (end !== p.body.length) {
          throw unsupported('trailing subkey data');
        }
        b.key.subkeys.push({
          fingerprint,
          algorithm,
          keyID: fingerprint.slice(24),
          mayBeSigning: false,
          ...(p.tag === 7 ? { isEncrypted: p.body[end] === 254 } : {}),
        });
        b.pub.push(writePacket(14, p.body.subarray(0, end)));
        b.all.push(writePacket(p.tag, p.body));
      } else {
        throw unsupported(`packet tag ${p.tag} in a transferable key`);
      }
    }
    if (b) keys.push(finish(b));
  }
  if (keys.length === 0) throw unsupported('no keys');
  return keys;
}

/**
 * openpgp.js `getPrimaryUser(date)`: among user IDs with a self-certification
 * valid at `now` (unix seconds; null = at any time), the one flagged primary,
 * else the most recently certified (the later one on ties).
 */
export function primarySelfCertification(
  key: BlobKey,
  now: number | null,
): SelfCertification | undefined {
  let best: SelfCertification | undefined;
  for (const certs of key.selfCertifications) {
    let latest: SelfCertification | undefined;
    for (const c of certs) {
      const expired =
        now !== null &&
        (c.created > now ||
          (c.signatureExpiry !== 0 && now >= c.created + c.signatureExpiry));
      if (!expired && (latest === undefined || c.created > latest.created)) {
        latest = c;
      }
    }
    if (latest === undefined) continue;
    if (
      best === undefined ||
      Number(latest.isPrimaryUserID) - Number(best.isPrimaryUserID) > 0 ||
      (latest.isPrimaryUserID === best.isPrimaryUserID &&
        latest.created >= best.created)
    ) {
      best = latest;
    }
  }
  return best;
}

/**
 * openpgp.js `key.getExpirationTime()` in unix seconds: the earlier of the
 * primary self-certification's key and signature expiry; Infinity = never,
 * undefined = no valid self-certification.
 */
export function primaryKeyExpiry(key: BlobKey): number | undefined {
  const cert = primarySelfCertification(key, null);
  if (cert === undefined) return undefined;
  const keyExpiry =
    cert.keyExpiry === 0 ? Infinity : key.primary.created + cert.keyExpiry;
  const sigExpiry =
    cert.signatureExpiry === 0 ? Infinity : cert.created + cert.signatureExpiry;
  return Math.min(keyExpiry, sigExpiry);
}

/**
 * The self-certification that lets the primary key sign at `now`, when
 * openpgp.js `getSigningKey()` would pick the primary key: no subkey that
 * could sign, a valid primary user, the key not expired and allowed to sign.
 * Otherwise UnsupportedOpenPGPError (openpgp.js decides or reports).
 */
export function primarySigningCertification(
  key: BlobKey,
  now: number,
): SelfCertification {
  if (key.subkeys.some((s) => s.mayBeSigning)) {
    throw unsupported('the key has a subkey that may sign');
  }
  const cert = primarySelfCertification(key, now);
  if (cert === undefined) throw unsupported('no valid self-certification');
  const created = key.primary.created;
  if (
    created > now ||
    (cert.keyExpiry !== 0 && now >= created + cert.keyExpiry)
  ) {
    throw unsupported('the key is expired or not yet valid');
  }
  if (cert.keyFlags !== undefined && (cert.keyFlags & 0x02) === 0) {
    throw unsupported('the primary key may not sign');
  }
  return cert;
}
