/**
 * Producing signed Notary metadata (SPEC §7.2–7.3, §7.7): the canonical
 * bytes of `signed` are both what is signed and what is stored, wrapped as
 * `{"signed":…,"signatures":[{"keyid","method","sig"}]}`. Plus the version
 * bump and default expiries notary applies on each publish.
 */
import type { KeyObject } from 'node:crypto';
import { TrustError } from '../../errors.js';
import { canonicalJSON } from './canonical-json.js';
import { keyID, tufKeyFromPublicKey } from './keys.js';
import { formatRFC3339 } from './metadata-fields.js';
import { signMessage } from './signatures.js';

export interface SigningKey {
  privateKey: KeyObject;
  /**
   * The key ID the role lists this key under. Default: the ID of the
   * plain public key; pass the certificate key's ID for x509 root keys.
   */
  keyID?: string;
}

/** The raw JSON value of a `signed` object (Root/Targets/… as written). */
export type SignedJSON = Record<string, unknown>;

/**
 * Sign `signed` with every key and return the file bytes. `signed` must be
 * a plain JSON value (integers only); it is written in canonical form.
 */
export function signMetadata(
  signed: SignedJSON,
  keys: readonly (SigningKey | KeyObject)[],
): Buffer {
  if (keys.length === 0) {
    throw new TrustError('signature', 'no keys to sign the metadata with');
  }
  const canonical = canonicalJSON(signed);
  const signatures = keys.map((k) => {
    const sk: SigningKey = 'privateKey' in k ? k : { privateKey: k };
    const id = sk.keyID ?? keyID(tufKeyFromPublicKey(sk.privateKey));
    const { method, sig } = signMessage(sk.privateKey, canonical);
    return { keyid: id, method, sig: sig.toString('base64') };
  });
  return Buffer.concat([
    Buffer.from('{"signed":'),
    canonical,
    Buffer.from(`,"signatures":${JSON.stringify(signatures)}}`),
  ]);
}

export type ExpiryRole = 'root' | 'targets' | 'snapshot' | 'timestamp';

/** The role whose default expiry applies (delegations count as targets). */
function expiryRole(role: string): ExpiryRole {
  if (role === 'root' || role === 'snapshot' || role === 'timestamp')
    return role;
  return 'targets';
}

/**
 * Default expiry of a freshly signed role: root 10 years, targets and
 * delegations 3 years, snapshot 3 years, timestamp 14 days (Go AddDate:
 * calendar arithmetic, Feb 29 rolls over to Mar 1).
 */
export function defaultExpiry(role: string, now: Date): Date {
  const d = new Date(now.getTime());
  switch (expiryRole(role)) {
    case 'root':
      d.setUTCFullYear(d.getUTCFullYear() + 10);
      break;
    case 'targets':
    case 'snapshot':
      d.setUTCFullYear(d.getUTCFullYear() + 3);
      break;
    case 'timestamp':
      d.setUTCDate(d.getUTCDate() + 14);
      break;
  }
  return d;
}

/** `expires` value for a role signed at `now`, in Go's RFC3339Nano (UTC). */
export function defaultExpiresString(role: string, now: Date): string {
  return formatRFC3339(defaultExpiry(role, now));
}

/**
 * A copy of `signed` ready to re-sign: version + 1 (or 1 when new) and the
 * role's default expiry from `now`.
 */
export function bumpForResign(
  signed: SignedJSON,
  role: string,
  now: Date,
): SignedJSON {
  const v = signed.version;
  const version =
    typeof v === 'number' && Number.isSafeInteger(v) && v >= 1 ? v + 1 : 1;
  return { ...signed, version, expires: defaultExpiresString(role, now) };
}
