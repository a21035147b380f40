import {
  parsePublicKeyPacket,
  readCanonicalMpi,
  UnsupportedOpenPGPError,
  v4Fingerprint,
  type PublicKeyPacket,
} from './key-packet.js';
import {
  assertSupportedProtection,
  parseSecretKeyPacket,
  type LockedSecretKey,
} from './secret-key.js';
import {
  certificationData,
  checkSignature,
  parseV4Signature,
  type V4Signature,
} from './signature-packet.js';
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
 * openpgp.js. Self-certifications are verified (signature-packet.ts) before
 * key-validity.ts believes their key flags, expiry and hash preferences.
 */

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
  /** Per user ID, its verified self-certifications in packet order. */
  selfCertifications: V4Signature[][];
  subkeys: BlobSubkey[];
  /** openpgp.js `key.toPublic().write()`. */
  publicBinary: Buffer;
  /** openpgp.js `key.write()`. */
  binary: Buffer;
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
  let pos = 0;
  for (let i = algorithm === 1 || algorithm === 3 ? 4 : 1; i > 0; i--) {
    pos = readCanonicalMpi(clear, pos)[1];
  }
  if (pos !== clear.length) throw unsupported('trailing secret key data');
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
  const sig = parseV4Signature(p.body);
  // openpgp.js rewrites lengths and MPIs in their shortest form: insist on it.
  if (!sig.canonical) throw unsupported('non-canonical signature encoding');
  const packet = writePacket(2, p.body);
  if (b.uid && !b.inSubkey) {
    if (sig.sigType < 0x10 || sig.sigType > 0x13)
      throw unsupported(`signature type ${sig.sigType} on a user ID`);
    if (sig.issuerKeyID !== primary.keyID) {
      b.uid.other.push(packet);
      return;
    }
    b.uid.self.push(packet);
    // Only verified self-certifications count (at their own creation time).
    const data = certificationData(primary, b.uid.raw);
    if (checkSignature(sig, primary, data, sig.created, false) !== 'unknown') {
      b.key.selfCertifications.at(-1)!.push(sig);
    }
    return;
  }
  const sub = b.key.subkeys.at(-1);
  if (
    !b.inSubkey ||
    !sub ||
    sig.sigType !== 0x18 ||
    sig.issuerKeyID !== primary.keyID
  ) {
    throw unsupported(`signature type ${sig.sigType} outside a user ID`);
  }
  const flags = sig.keyFlags;
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
