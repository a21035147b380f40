import type { KeyMaterial } from '../keys.js';
import { readKeyBlobNatively, type BlobKey } from './key-blob.js';
import { primaryKeyExpiry } from './key-validity.js';

/**
 * Key descriptions for the keyring without openpgp.js: the same
 * KeyMaterial that keys.ts builds with openpgp.js (names, expiry, and the
 * re-serialised public and secret keys byte for byte). Throws
 * UnsupportedOpenPGPError for keys readKeyBlobNatively does not handle.
 */

const ECDSA_NAMES: Record<string, string> = {
  'P-256': 'nistP256',
  'P-384': 'nistP384',
  'P-521': 'nistP521',
};

/** keys.ts algorithmName: `rsa3072`, `ed25519`, `nistP256`, … */
function algorithmName(key: BlobKey): string {
  const { algorithm, bits, curve } = key.transferable.primary;
  if (algorithm === 1 || algorithm === 3) return `rsa${bits ?? ''}`;
  if (algorithm === 19) return ECDSA_NAMES[curve ?? ''] ?? 'ecdsa';
  return 'ed25519';
}

function describeOne(key: BlobKey): KeyMaterial {
  const { primary } = key.transferable;
  const expiry = primaryKeyExpiry(key.transferable);
  const secret = key.secret;
  // openpgp.js: encrypted unless some key packet is decrypted.
  const isEncrypted =
    secret !== undefined &&
    secret.isEncrypted &&
    key.subkeys.every((s) => s.isEncrypted !== false);
  return {
    fingerprint: primary.fingerprint,
    keyIds: [primary.keyID, ...key.subkeys.map((s) => s.keyID)],
    subkeyFingerprints: key.subkeys.map((s) => s.fingerprint),
    userIds: [...key.userIds],
    algorithm: algorithmName(key),
    created: new Date(primary.created * 1000),
    ...(expiry !== undefined && Number.isFinite(expiry)
      ? { expires: new Date(expiry * 1000) }
      : {}),
    isPrivate: secret !== undefined,
    isEncrypted,
    publicKey: key.publicBinary,
    ...(secret !== undefined ? { secretKey: key.binary } : {}),
  };
}

/** Every key in an armored or binary blob, described as keys.ts readKeyMaterial does. */
export function describeKeyNatively(blob: Buffer): KeyMaterial[] {
  return readKeyBlobNatively(blob).map(describeOne);
}
