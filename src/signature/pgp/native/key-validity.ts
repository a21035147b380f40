import { UnsupportedOpenPGPError } from './key-packet.js';
import type { BlobKey } from './key-blob.js';
import type { V4Signature } from './signature-packet.js';

/**
 * Which self-certification openpgp.js would use for a key, and what
 * follows from it: the primary user (getPrimaryUser), the key's expiry
 * (getExpirationTime) and whether getSigningKey would pick the primary key.
 */

function unsupported(why: string): UnsupportedOpenPGPError {
  return new UnsupportedOpenPGPError(`native OpenPGP: ${why}`);
}

/**
 * openpgp.js `getPrimaryUser(date)`: among user IDs with a self-certification
 * valid at `now` (unix seconds; null = at any time), the one flagged primary,
 * else the most recently certified (the later one on ties).
 */
export function primaryV4Signature(
  key: BlobKey,
  now: number | null,
): V4Signature | undefined {
  let best: V4Signature | undefined;
  for (const certs of key.selfCertifications) {
    let latest: V4Signature | undefined;
    for (const c of certs) {
      const expired =
        now !== null &&
        (c.created > now ||
          (c.expiresAfter !== 0 && now >= c.created + c.expiresAfter));
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
  const cert = primaryV4Signature(key, null);
  if (cert === undefined) return undefined;
  const keyExpiry =
    cert.keyExpiresAfter === 0
      ? Infinity
      : key.primary.created + cert.keyExpiresAfter;
  const sigExpiry =
    cert.expiresAfter === 0 ? Infinity : cert.created + cert.expiresAfter;
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
): V4Signature {
  if (key.subkeys.some((s) => s.mayBeSigning)) {
    throw unsupported('the key has a subkey that may sign');
  }
  const cert = primaryV4Signature(key, now);
  if (cert === undefined) throw unsupported('no valid self-certification');
  const created = key.primary.created;
  if (
    created > now ||
    (cert.keyExpiresAfter !== 0 && now >= created + cert.keyExpiresAfter)
  ) {
    throw unsupported('the key is expired or not yet valid');
  }
  if (cert.keyFlags !== undefined && (cert.keyFlags & 0x02) === 0) {
    throw unsupported('the primary key may not sign');
  }
  return cert;
}
