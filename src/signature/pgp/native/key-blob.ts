import { readCanonicalMpi, UnsupportedOpenPGPError } from './key-packet.js';
import {
  assertSupportedProtection,
  type LockedSecretKey,
} from './secret-key.js';
import { writePacket } from './sign.js';
import {
  keySignatures,
  parseTransferableKeys,
  type KeySubkey,
  type TransferableKey,
} from './transferable-key.js';

/**
 * Whole transferable keys (transferable-key.ts), public or secret, for the
 * signing and key-listing fast paths, with the bytes openpgp.js would write
 * for them. Only the plain shape gpg and openpgp.js write is accepted: a V4
 * primary key, user IDs with certifications, subkeys with binding
 * signatures, no revocations, direct-key signatures, user attributes or
 * trust packets. Anything else throws UnsupportedOpenPGPError and callers
 * fall back to openpgp.js. Which self-certification counts is for
 * key-validity.ts to say.
 */

export interface BlobSubkey {
  fingerprint: string;
  algorithm: number;
  keyID: string;
  /** Secret subkeys: the secret part is passphrase-protected. */
  isEncrypted?: boolean;
}

export interface BlobKey {
  /** The parsed key (its primary key too), for key-validity.ts. */
  transferable: TransferableKey;
  /** Present for secret keys (tag 5). */
  secret?: LockedSecretKey;
  userIds: string[];
  subkeys: BlobSubkey[];
  /** openpgp.js `key.toPublic().write()`. */
  publicBinary: Buffer;
  /** openpgp.js `key.write()`. */
  binary: Buffer;
}

function unsupported(why: string): UnsupportedOpenPGPError {
  return new UnsupportedOpenPGPError(`native OpenPGP: ${why}`);
}

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
  // X25519 and Ed25519: the raw 32-byte secret
  if (algorithm === 25 || algorithm === 27) {
    if (clear.length !== 32) throw unsupported('bad secret key length');
    return;
  }
  let pos = 0;
  for (let i = algorithm === 1 || algorithm === 3 ? 4 : 1; i > 0; i--) {
    pos = readCanonicalMpi(clear, pos)[1];
  }
  if (pos !== clear.length) throw unsupported('trailing secret key data');
}

/** Reject what openpgp.js would not write back unchanged, or what the fast paths do not judge. */
function checkPlainShape(key: TransferableKey): void {
  if (key.users.length === 0) throw unsupported('key without user IDs');
  if (key.directSignatures.length > 0 || key.revocationSignatures.length > 0) {
    throw unsupported('direct-key signature or key revocation');
  }
  if (key.users.some((u) => u.revocations.length > 0)) {
    throw unsupported('user ID revocation');
  }
  if (key.subkeys.some((s) => s.revocations.length > 0)) {
    throw unsupported('subkey revocation');
  }
  // openpgp.js rewrites lengths and MPIs in their shortest form: insist on it.
  if (!keySignatures(key).every((s) => s.canonical)) {
    throw unsupported('non-canonical signature encoding');
  }
  const bits = key.primary.bits;
  if (bits !== undefined && bits < 2047) {
    throw unsupported('RSA key shorter than openpgp.js accepts');
  }
}

function lockedSecret(key: TransferableKey): LockedSecretKey | undefined {
  const secretPart = key.secretPart;
  if (secretPart === undefined) return undefined;
  assertSupportedProtection(secretPart);
  checkSecretPart(secretPart, key.primary.algorithm);
  return { key: key.primary, isEncrypted: secretPart[0] === 254, secretPart };
}

function blobSubkey(sub: KeySubkey, secret: boolean): BlobSubkey {
  const secretPart = sub.body.subarray(sub.end);
  if (secret) {
    assertSupportedProtection(secretPart);
    checkSecretPart(secretPart, sub.algorithm);
  }
  return {
    fingerprint: sub.fingerprint,
    algorithm: sub.algorithm,
    keyID: sub.keyID,
    ...(secret ? { isEncrypted: secretPart[0] === 254 } : {}),
  };
}

/** The key as openpgp.js writes it back: self-certifications before third-party ones, trust packets dropped. */
function rewrite(key: TransferableKey): { pub: Buffer; all: Buffer } {
  const secret = key.secretPart !== undefined;
  const pub = [writePacket(6, key.primary.publicBody)];
  const all = [writePacket(secret ? 5 : 6, key.primaryBody)];
  const both = (packet: Buffer): void => {
    pub.push(packet);
    all.push(packet);
  };
  for (const user of key.users) {
    both(writePacket(13, user.userID));
    for (const sig of [...user.selfCertifications, ...user.otherCertifications])
      both(writePacket(2, sig.body));
  }
  for (const sub of key.subkeys) {
    pub.push(writePacket(14, sub.body.subarray(0, sub.end)));
    all.push(writePacket(secret ? 7 : 14, sub.body));
    for (const sig of sub.bindingSignatures) both(writePacket(2, sig.body));
  }
  return { pub: Buffer.concat(pub), all: Buffer.concat(all) };
}

function blobKey(key: TransferableKey): BlobKey {
  checkPlainShape(key);
  const secret = lockedSecret(key);
  const { pub, all } = rewrite(key);
  return {
    transferable: key,
    ...(secret ? { secret } : {}),
    userIds: key.users.map((u) => u.userID.toString('utf8')),
    subkeys: key.subkeys.map((s) => blobSubkey(s, secret !== undefined)),
    publicBinary: pub,
    binary: all,
  };
}

/** Every key in a blob (armored or binary); UnsupportedOpenPGPError for anything unusual. */
export function readKeyBlobNatively(blob: Buffer): BlobKey[] {
  try {
    const keys = parseTransferableKeys(blob).map(blobKey);
    if (keys.length === 0) throw unsupported('no keys');
    return keys;
  } catch (err) {
    // Bounds errors of malformed input too: openpgp.js reports those.
    if (err instanceof UnsupportedOpenPGPError) throw err;
    throw new UnsupportedOpenPGPError('native OpenPGP: malformed key', {
      cause: err,
    });
  }
}
