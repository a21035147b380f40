import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { ImgsignError } from '../../errors.js';
import { keyID, MIN_RSA_BITS } from '../tuf/keys.js';

/**
 * A private key as notary holds it (SPEC §7.1, §7.9): its TUF key type, the
 * public bytes that go into key JSON, and the private bytes notary stores
 * inside PKCS#8 (SEC1 for ECDSA, PKCS#1 for RSA, 32-byte public ‖ 64-byte
 * Go private key for Ed25519).
 */
export type TufKeyType = 'ecdsa' | 'rsa' | 'ed25519';

export interface TufPrivateKey {
  readonly keyType: TufKeyType;
  /** For signing with node:crypto. */
  readonly privateKey: KeyObject;
  /** keyval.public: DER SubjectPublicKeyInfo (ecdsa, rsa) or raw 32 bytes (ed25519). */
  readonly publicBytes: Buffer;
  /** What notary keeps as the private part (see above). */
  readonly privateBytes: Buffer;
  /** Canonical key ID (SPEC §7.1): also the file name in private/. */
  readonly id: string;
}

/**
 * Key ID (SPEC §7.1) of the plain key JSON
 * `{"keytype":T,"keyval":{"private":null,"public":B64}}`: for the key
 * types a private key can have, this is also the canonical key ID.
 */
export function tufKeyId(keyType: string, publicBytes: Buffer): string {
  return keyID({
    keytype: keyType,
    keyval: { private: null, public: publicBytes.toString('base64') },
  });
}

/** Wrap a node private key (P-256/P-384/P-521 ECDSA, RSA ≥ 2048, Ed25519). */
export function tufPrivateKeyFromKeyObject(
  privateKey: KeyObject,
  what: string,
): TufPrivateKey {
  if (privateKey.type !== 'private') {
    throw new ImgsignError('KEY_INVALID', `${what} is not a private key`);
  }
  const pub = createPublicKey(privateKey);
  switch (privateKey.asymmetricKeyType) {
    case 'ec': {
      const curve = privateKey.asymmetricKeyDetails?.namedCurve;
      if (!curve || !['prime256v1', 'secp384r1', 'secp521r1'].includes(curve)) {
        throw new ImgsignError(
          'KEY_INVALID',
          `${what}: unsupported elliptic curve ${curve ?? '(unnamed)'}; notary uses P-256`,
        );
      }
      const publicBytes = pub.export({ format: 'der', type: 'spki' });
      return {
        keyType: 'ecdsa',
        privateKey,
        publicBytes,
        privateBytes: privateKey.export({ format: 'der', type: 'sec1' }),
        id: tufKeyId('ecdsa', publicBytes),
      };
    }
    case 'rsa': {
      const bits = privateKey.asymmetricKeyDetails?.modulusLength ?? 0;
      if (bits < MIN_RSA_BITS) {
        throw new ImgsignError(
          'KEY_INVALID',
          `${what}: RSA key of ${bits} bits; at least ${MIN_RSA_BITS} are required`,
        );
      }
      const publicBytes = pub.export({ format: 'der', type: 'spki' });
      return {
        keyType: 'rsa',
        privateKey,
        publicBytes,
        privateBytes: privateKey.export({ format: 'der', type: 'pkcs1' }),
        id: tufKeyId('rsa', publicBytes),
      };
    }
    case 'ed25519': {
      const jwk = privateKey.export({ format: 'jwk' });
      const seed = Buffer.from(jwk.d ?? '', 'base64url');
      const publicBytes = Buffer.from(jwk.x ?? '', 'base64url');
      return {
        keyType: 'ed25519',
        privateKey,
        publicBytes,
        privateBytes: Buffer.concat([publicBytes, seed, publicBytes]),
        id: tufKeyId('ed25519', publicBytes),
      };
    }
    default:
      throw new ImgsignError(
        'KEY_INVALID',
        `${what}: unsupported key type ${privateKey.asymmetricKeyType ?? 'unknown'}`,
      );
  }
}

/**
 * Notary's Ed25519 private bytes: public (32) ‖ seed (32) ‖ public (32).
 * The embedded public keys must match the seed.
 */
export function ed25519FromNotaryBytes(
  untrustedBytes: Buffer,
  what: string,
): TufPrivateKey {
  if (untrustedBytes.length !== 96) {
    throw new ImgsignError(
      'KEY_INVALID',
      `${what}: malformed ed25519 private key (${untrustedBytes.length} bytes, expected 96)`,
    );
  }
  const pub = untrustedBytes.subarray(0, 32);
  const seed = untrustedBytes.subarray(32, 64);
  let key: KeyObject;
  try {
    key = createPrivateKey({
      key: {
        kty: 'OKP',
        crv: 'Ed25519',
        d: seed.toString('base64url'),
        x: pub.toString('base64url'),
      },
      format: 'jwk',
    });
  } catch (err) {
    throw new ImgsignError('KEY_INVALID', `${what}: invalid ed25519 key`, {
      cause: err,
    });
  }
  const tuf = tufPrivateKeyFromKeyObject(key, what);
  if (!tuf.privateBytes.equals(untrustedBytes)) {
    throw new ImgsignError(
      'KEY_INVALID',
      `${what}: ed25519 public key does not match the private key`,
    );
  }
  return tuf;
}
