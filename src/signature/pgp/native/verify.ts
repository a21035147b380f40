import { inflateRawSync, inflateSync } from 'node:zlib';
import { UnsupportedOpenPGPError, type PublicKeyPacket } from './key-packet.js';
import {
  bindingData,
  certificationData,
  checkSignature,
  parseV4Signature,
  type V4Signature,
} from './signature-packet.js';
import { splitPackets } from './packet-framing.js';
import {
  keySignatures,
  parseTransferableKeys,
  type KeySubkey,
  type TransferableKey,
} from './transferable-key.js';

/**
 * The native verification fast path: simple signatures (binary signed
 * messages) by clean V4 keys, checked with node:crypto without loading
 * openpgp.js. It only ever answers "accepted" or undefined (undecided);
 * undecided means openpgp.js (verifier.ts) decides exactly as before.
 * SECURITY: every rule below mirrors what openpgp.js 6 does in
 * Key.getSigningKey(keyID, date) and openpgp.verify({date}) with default
 * config; wherever mirroring would need more than the common case
 * (revocations, direct-key signatures, colliding key IDs, unusual
 * packets), the answer is undecided.
 */

export type NativeKey = TransferableKey;

export interface NativeVerified {
  contents: Buffer;
  /** Primary-key fingerprint, 40 uppercase hex. */
  keyIdentity: string;
}

/** Bound on decompressed data, as packets.ts. */
const MAX_DECOMPRESSED_BYTES = 4 * 1024 * 1024;
/** openpgp.js config.minRSABits. */
const MIN_RSA_BITS = 2047;

function undecided(why: string): UnsupportedOpenPGPError {
  return new UnsupportedOpenPGPError(`native verification undecided: ${why}`);
}

/** Keyrings hold public keys; DSA certifications are left to openpgp.js too. */
function verifiableKey(key: NativeKey): boolean {
  return (
    key.secretPart === undefined &&
    keySignatures(key).every((s) => s.publicKeyAlgorithm !== 17)
  );
}

/** Every key of every blob, or undefined when any part is not handled natively. */
export function parseNativeKeyring(blobs: Buffer[]): NativeKey[] | undefined {
  try {
    const keys = blobs.flatMap((b) => parseTransferableKeys(b));
    return keys.every(verifiableKey) ? keys : undefined;
  } catch {
    return undefined;
  }
}

interface NativeMessage {
  literal: Buffer;
  sig: V4Signature;
}

function inflate(body: Buffer): Buffer {
  const algo = body[0];
  const input = body.subarray(1);
  const opts = { maxOutputLength: MAX_DECOMPRESSED_BYTES, info: true };
  const result =
    algo === 1
      ? inflateRawSync(input, opts)
      : algo === 2
        ? inflateSync(input, opts)
        : undefined;
  // info: true returns the engine too; all input must be consumed
  const r = result as unknown as
    { buffer: Buffer; engine: { bytesWritten: number } } | undefined;
  if (!r || r.engine.bytesWritten !== input.length) {
    throw undecided('compressed data');
  }
  return r.buffer;
}

/** [one-pass, literal, signature], optionally inside one compressed packet. */
function readMessage(untrusted: Buffer): NativeMessage {
  let packets = splitPackets(untrusted);
  if (packets.length === 1 && packets[0]!.tag === 8) {
    packets = splitPackets(inflate(packets[0]!.body));
  }
  const [ops, lit, sigPacket] = packets;
  if (
    packets.length !== 3 ||
    ops?.tag !== 4 ||
    lit?.tag !== 11 ||
    sigPacket?.tag !== 2 ||
    ops.partial ||
    sigPacket.partial
  ) {
    throw undecided('message structure');
  }
  const sig = parseV4Signature(sigPacket.body);
  const o = ops.body;
  if (
    o.length !== 13 ||
    o[0] !== 3 ||
    o[1] !== sig.sigType ||
    o[2] !== sig.hashAlgorithm ||
    o[3] !== sig.publicKeyAlgorithm ||
    o.subarray(4, 12).toString('hex').toUpperCase() !== sig.issuerKeyID
  ) {
    throw undecided('one-pass signature');
  }
  const nameLen = lit.body[1];
  if (nameLen === undefined || lit.body.length < 6 + nameLen) {
    throw undecided('literal packet');
  }
  return { literal: lit.body.subarray(6 + nameLen), sig };
}

/** openpgp.js getLatestValidSignature; undefined when none is valid at `date`. */
function latestValid(
  sigs: V4Signature[],
  key: PublicKeyPacket,
  data: Buffer,
  date: number,
): V4Signature | undefined {
  let latest: V4Signature | undefined;
  for (let i = sigs.length - 1; i >= 0; i--) {
    const sig = sigs[i]!;
    const check = checkSignature(sig, key, data, date, false);
    if (check === 'unknown') throw undecided('key signature');
    if (check === 'valid' && (!latest || sig.created >= latest.created)) {
      latest = sig;
    }
  }
  return latest;
}

/** Key expiry as openpgp.js isDataExpired: valid in [created, created + lifetime). */
function keyExpired(key: PublicKeyPacket, sig: V4Signature, date: number) {
  const expires =
    sig.keyExpiresAfter === 0 ? Infinity : key.created + sig.keyExpiresAfter;
  return !(key.created <= date && date < expires);
}

/** The primary user's self-certification at `date` (openpgp.js getPrimaryUser). */
function primarySelfCertification(key: NativeKey, date: number): V4Signature {
  const users: { sig: V4Signature }[] = [];
  for (const user of key.users) {
    const data = certificationData(key.primary, user.userID);
    const sig = latestValid(user.selfCertifications, key.primary, data, date);
    if (sig) users.push({ sig });
  }
  // stable sort by (primary flag, creation); openpgp.js takes the last
  users.sort(
    (a, b) =>
      Number(a.sig.isPrimaryUserID) - Number(b.sig.isPrimaryUserID) ||
      a.sig.created - b.sig.created,
  );
  const chosen = users.pop();
  if (!chosen) throw undecided('no valid self-certification');
  return chosen.sig;
}

function checkKeyRequirements(key: PublicKeyPacket): void {
  if (
    (key.algorithm === 1 || key.algorithm === 3) &&
    key.bits! < MIN_RSA_BITS
  ) {
    throw undecided('RSA key too short');
  }
}

function canSign(sig: V4Signature): boolean {
  return sig.keyFlags !== undefined && (sig.keyFlags & 0x02) !== 0;
}

/** openpgp.js Subkey.verify + the subkey branch of getSigningKey, clean case only. */
function validSigningSubkey(
  key: NativeKey,
  sub: KeySubkey,
  subkey: PublicKeyPacket,
  date: number,
): void {
  if (sub.revocations.length > 0) throw undecided('subkey has revocations');
  const data = bindingData(key.primary, subkey);
  const binding = latestValid(sub.bindingSignatures, key.primary, data, date);
  if (!binding || keyExpired(subkey, binding, date) || !canSign(binding)) {
    throw undecided('subkey binding');
  }
  const back = binding.embedded;
  if (back?.sigType !== 0x19) throw undecided('no primary-key binding');
  if (checkSignature(back, subkey, data, date, false) !== 'valid') {
    throw undecided('primary-key binding');
  }
  checkKeyRequirements(subkey);
}

/** openpgp.js Key.getSigningKey(keyID, date) for the clean case; throws when undecided. */
function signingKey(key: NativeKey, keyID: string, date: number) {
  if (key.revocationSignatures.length > 0) throw undecided('key revocations');
  if (key.directSignatures.length > 0) throw undecided('direct-key signatures');
  if (key.users.some((u) => u.revocations.length > 0)) {
    throw undecided('user ID revocations');
  }
  const selfCert = primarySelfCertification(key, date);
  if (keyExpired(key.primary, selfCert, date)) throw undecided('key expired');
  checkKeyRequirements(key.primary);
  const subs = key.subkeys.filter((s) => s.keyID === keyID);
  const sub = subs[0];
  if (subs.length === 1 && sub?.key && key.primary.keyID !== keyID) {
    validSigningSubkey(key, sub, sub.key, date);
    return sub.key;
  }
  if (subs.length !== 0 || key.primary.keyID !== keyID || !canSign(selfCert)) {
    throw undecided('signing key');
  }
  return key.primary;
}

/**
 * Accept the (single) signature of a binary signed message exactly when
 * openpgp.js, as verifier.ts uses it, would; undefined = undecided.
 * `untrusted` is the whole signature blob (after verifier.ts structure
 * checks). Like verifier.ts, only keys holding the issuer key ID are
 * tried; natively only the first of them.
 */
export function nativeVerify(
  keys: NativeKey[],
  untrusted: Buffer,
  now: Date,
): NativeVerified | undefined {
  try {
    const { literal, sig } = readMessage(untrusted);
    if (sig.sigType !== 0x00) return undefined;
    const keyID = sig.issuerKeyID;
    const key = keys.find(
      (k) =>
        k.primary.keyID === keyID || k.subkeys.some((s) => s.keyID === keyID),
    );
    if (!key) return undefined;
    const date = Math.floor(now.getTime() / 1000);
    const signer = signingKey(key, keyID, date);
    if (checkSignature(sig, signer, literal, date, true) !== 'valid') {
      return undefined;
    }
    if (signer.created > sig.created) return undefined;
    // openpgp.js checks the key again at the signature's creation time
    signingKey(key, keyID, sig.created);
    return {
      contents: Buffer.from(literal),
      keyIdentity: key.primary.fingerprint,
    };
  } catch {
    return undefined;
  }
}
