import { UnsupportedOpenPGPError, type PublicKeyPacket } from './key-packet.js';
import {
  bindingData,
  certificationData,
  checkSignature,
} from './signature-check.js';
import type { V4Signature } from './signature-packet.js';
import type { KeySubkey, TransferableKey } from './transferable-key.js';

/**
 * openpgp.js 6's key-validity rules, once, for every native path:
 * which self-certification counts (getPrimaryUser), when a key expires
 * (getExpirationTime) and which key signs (getSigningKey), with default
 * config. Only the clean case is mirrored: wherever more would be needed
 * (revocations, direct-key signatures, colliding key IDs, signatures we
 * cannot verify natively), UnsupportedOpenPGPError leaves openpgp.js to
 * decide. Dates are unix seconds.
 */

/** openpgp.js config.minRSABits. */
const MIN_RSA_BITS = 2047;

function undecided(why: string): UnsupportedOpenPGPError {
  return new UnsupportedOpenPGPError(`native key validity undecided: ${why}`);
}

/**
 * openpgp.js getLatestValidSignature: the newest of `sigs` valid at `date`
 * (null = at any time: verification only), the first in packet order on
 * ties. A signature that cannot be verified natively leaves it undecided.
 */
function latestValid(
  sigs: V4Signature[],
  key: PublicKeyPacket,
  data: Buffer,
  date: number | null,
): V4Signature | undefined {
  let latest: V4Signature | undefined;
  for (let i = sigs.length - 1; i >= 0; i--) {
    const sig = sigs[i]!;
    const check = checkSignature(sig, key, data, date ?? sig.created, false);
    if (check === 'unknown') throw undecided('key signature');
    if (check === 'valid' && (!latest || sig.created >= latest.created)) {
      latest = sig;
    }
  }
  return latest;
}

/** Key expiry as openpgp.js isDataExpired: valid in [created, created + lifetime). */
function keyExpired(
  key: PublicKeyPacket,
  sig: V4Signature,
  date: number,
): boolean {
  const expires =
    sig.keyExpiresAfter === 0 ? Infinity : key.created + sig.keyExpiresAfter;
  return !(key.created <= date && date < expires);
}

/**
 * openpgp.js getPrimaryUser(date): among user IDs with a self-certification
 * valid at `date` (null = at any time), the one flagged primary, else the
 * most recently certified (the later user ID on ties).
 */
export function primarySelfCertification(
  key: TransferableKey,
  date: number | null,
): V4Signature | undefined {
  const certs: V4Signature[] = [];
  for (const user of key.users) {
    const data = certificationData(key.primary, user.userID);
    const sig = latestValid(user.selfCertifications, key.primary, data, date);
    if (sig) certs.push(sig);
  }
  // stable sort by (primary flag, creation); openpgp.js takes the last
  certs.sort(
    (a, b) =>
      Number(a.isPrimaryUserID) - Number(b.isPrimaryUserID) ||
      a.created - b.created,
  );
  return certs.pop();
}

/**
 * openpgp.js key.getExpirationTime(): the earlier of the primary
 * self-certification's key and signature expiry; Infinity = never,
 * undefined = no valid self-certification.
 */
export function primaryKeyExpiry(key: TransferableKey): number | undefined {
  const cert = primarySelfCertification(key, null);
  if (cert === undefined) return undefined;
  const keyExpiry =
    cert.keyExpiresAfter === 0
      ? Infinity
      : key.primary.created + cert.keyExpiresAfter;
  const sigExpiry =
    cert.expiresAfter === 0 ? Infinity : cert.created + cert.expiresAfter;
  return Math.min(keyExpiry, sigExpiry);
}

function checkKeyRequirements(key: PublicKeyPacket): void {
  if (
    (key.algorithm === 1 || key.algorithm === 3) &&
    key.bits! < MIN_RSA_BITS
  ) {
    throw undecided('RSA key too short');
  }
}

/** openpgp.js 6 refuses signing keys without key flags (config.allowMissingKeyFlags is off). */
function canSign(sig: V4Signature): boolean {
  return sig.keyFlags !== undefined && (sig.keyFlags & 0x02) !== 0;
}

/** openpgp.js Subkey.verify + the subkey branch of getSigningKey, clean case only. */
function validSigningSubkey(
  key: TransferableKey,
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

export interface SigningKey {
  /** The key packet that signs: the primary key or a subkey. */
  key: PublicKeyPacket;
  /** The primary user's self-certification at the date. */
  selfCertification: V4Signature;
}

/** openpgp.js Key.getSigningKey(keyID, date) for the clean case; throws when undecided. */
export function signingKey(
  key: TransferableKey,
  keyID: string,
  date: number,
): SigningKey {
  if (key.revocationSignatures.length > 0) throw undecided('key revocations');
  if (key.directSignatures.length > 0) throw undecided('direct-key signatures');
  if (key.users.some((u) => u.revocations.length > 0)) {
    throw undecided('user ID revocations');
  }
  const selfCertification = primarySelfCertification(key, date);
  if (!selfCertification) throw undecided('no valid self-certification');
  if (keyExpired(key.primary, selfCertification, date)) {
    throw undecided('key expired');
  }
  checkKeyRequirements(key.primary);
  const subs = key.subkeys.filter((s) => s.keyID === keyID);
  const sub = subs[0];
  if (subs.length === 1 && sub?.key && key.primary.keyID !== keyID) {
    validSigningSubkey(key, sub, sub.key, date);
    return { key: sub.key, selfCertification };
  }
  if (
    subs.length !== 0 ||
    key.primary.keyID !== keyID ||
    !canSign(selfCertification)
  ) {
    throw undecided('signing key');
  }
  return { key: key.primary, selfCertification };
}

/** A subkey openpgp.js might pick for signing: a signing algorithm, and flags that allow it or none. */
function maySign(sub: KeySubkey): boolean {
  return (
    sub.key !== undefined &&
    sub.bindingSignatures.some(
      (s) => s.keyFlags === undefined || (s.keyFlags & 0x02) !== 0,
    )
  );
}

/**
 * The self-certification that lets the primary key sign at `now`, when
 * openpgp.js getSigningKey() (no key ID) would pick the primary key: no
 * subkey that could sign, and the primary key valid for signing.
 */
export function primarySigningCertification(
  key: TransferableKey,
  now: number,
): V4Signature {
  if (key.subkeys.some(maySign)) throw undecided('a subkey may sign');
  return signingKey(key, key.primary.keyID, now).selfCertification;
}
