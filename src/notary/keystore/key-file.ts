import { ImgsignError } from '../../errors.js';
import {
  LEGACY_TYPES,
  isLegacyEncrypted,
  parseLegacyPrivateKey,
} from './legacy-pem.js';
import { decryptPkcs8 } from './pbes2.js';
import { encryptPkcs8, type EncryptOptions } from './pbes2.js';
import { decodePem, encodePem, type PemBlock } from './pem.js';
import { decodePkcs8, encodePkcs8 } from './pkcs8.js';
import type { TufPrivateKey } from './tuf-private-key.js';

/**
 * Private key files of a Docker Content Trust / notary key store
 * (SPEC §7.9): PEM `ENCRYPTED PRIVATE KEY` or `PRIVATE KEY` with `role:` and
 * `gun:` headers, and the legacy `EC|RSA|ED25519 PRIVATE KEY` blocks.
 */

/** What can be learnt from a key file without its passphrase. */
export interface KeyFileAttributes {
  /** PEM block type. */
  type: string;
  /** `role:` header (empty when absent). */
  role: string;
  /** `gun:` header (empty when absent). */
  gun: string;
  encrypted: boolean;
}

const SUPPORTED = new Set<string>([
  'ENCRYPTED PRIVATE KEY',
  'PRIVATE KEY',
  ...LEGACY_TYPES,
]);

/** The first private key PEM block of `untrustedText`; `what` names the file in errors. */
export function privateKeyBlock(untrustedText: string, what: string): PemBlock {
  const block = decodePem(untrustedText, what);
  if (!block) {
    throw new ImgsignError('KEY_INVALID', `${what}: no PEM private key found`);
  }
  if (!SUPPORTED.has(block.type)) {
    throw new ImgsignError(
      'KEY_INVALID',
      `${what}: ${JSON.stringify(block.type)} is not a supported private key`,
    );
  }
  return block;
}

export function keyFileAttributes(
  untrustedText: string,
  what: string,
): KeyFileAttributes {
  const block = privateKeyBlock(untrustedText, what);
  return {
    type: block.type,
    role: block.headers['role'] ?? '',
    gun: block.headers['gun'] ?? '',
    encrypted:
      block.type === 'ENCRYPTED PRIVATE KEY' || isLegacyEncrypted(block),
  };
}

/**
 * Decode a private key block. `passphrase` is needed only for encrypted
 * blocks (PASSPHRASE error if missing or wrong); malformed input is
 * KEY_INVALID. Never throws anything but ImgsignError.
 */
export function parsePrivateKeyBlock(
  block: PemBlock,
  passphrase: string | undefined,
  what: string,
): TufPrivateKey {
  switch (block.type) {
    case 'PRIVATE KEY':
      return decodePkcs8(block.bytes, what);
    case 'ENCRYPTED PRIVATE KEY': {
      if (passphrase === undefined) {
        throw new ImgsignError(
          'PASSPHRASE',
          `${what} is encrypted: a passphrase is needed`,
        );
      }
      const plain = decryptPkcs8(block.bytes, passphrase, what);
      return decodePkcs8(plain, what, true);
    }
    default:
      return parseLegacyPrivateKey(block, passphrase, what);
  }
}

/** `parsePrivateKeyBlock` of the first block of a file's text. */
export function parsePrivateKeyPem(
  untrustedText: string,
  passphrase: string | undefined,
  what: string,
): TufPrivateKey {
  return parsePrivateKeyBlock(
    privateKeyBlock(untrustedText, what),
    passphrase,
    what,
  );
}

export interface EncodeKeyOptions extends EncryptOptions {
  role?: string;
  gun?: string;
  /** Empty or undefined: an unencrypted `PRIVATE KEY` block, as notary does. */
  passphrase?: string;
}

/** The PEM notary's ConvertPrivateKeyToPKCS8 writes for `key`. */
export function encodePrivateKeyPem(
  key: TufPrivateKey,
  options: EncodeKeyOptions = {},
): string {
  const headers: Record<string, string> = {};
  if (options.role) headers['role'] = options.role;
  if (options.gun) headers['gun'] = options.gun;
  const plain = encodePkcs8(key);
  if (!options.passphrase) {
    return encodePem({ type: 'PRIVATE KEY', headers, bytes: plain });
  }
  return encodePem({
    type: 'ENCRYPTED PRIVATE KEY',
    headers,
    bytes: encryptPkcs8(plain, options.passphrase, options),
  });
}

/** `PUBLIC KEY` PEM of `key` (DER SPKI) with a `role:` header, as `docker trust key generate` writes. */
export function encodePublicKeyPem(key: TufPrivateKey, role: string): string {
  if (key.keyType === 'ed25519') {
    throw new ImgsignError(
      'UNSUPPORTED',
      'ed25519 public keys have no PUBLIC KEY form in notary',
    );
  }
  return encodePem({
    type: 'PUBLIC KEY',
    headers: { role },
    bytes: key.publicBytes,
  });
}
