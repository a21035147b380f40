/**
 * One TUF signature, verified or made (SPEC §7.1): `ecdsa` (SHA-256, raw
 * r‖s each padded to the curve size — 64 bytes on P-256; DER is invalid),
 * `rsapss` (SHA-256, salt 32, MGF1-SHA256), `rsapkcs1v15` (SHA-256) and
 * `eddsa`. Method names are case-insensitive on read, as notary lowercases
 * them. The legacy `pycrypto-pkcs#1 pss` method is not supported.
 */
import { constants, sign, verify, type KeyObject } from 'node:crypto';
import { TrustError } from '../../errors.js';
import { ecCurveBits, MIN_RSA_BITS, type PublicTufKey } from './keys.js';

export type SignatureMethod = 'ecdsa' | 'rsapss' | 'rsapkcs1v15' | 'eddsa';

const methodAlgorithm: Record<SignatureMethod, PublicTufKey['algorithm']> = {
  ecdsa: 'ecdsa',
  rsapss: 'rsa',
  rsapkcs1v15: 'rsa',
  eddsa: 'ed25519',
};

/** The normalized method, or undefined for one we do not verify. */
export function signatureMethod(
  untrusted: string,
): SignatureMethod | undefined {
  const m = untrusted.toLowerCase();
  return Object.hasOwn(methodAlgorithm, m) ? (m as SignatureMethod) : undefined;
}

/** Raw r‖s length of an ECDSA signature for a key: 2 × the curve size in bytes. */
export function ecdsaSignatureLength(key: KeyObject): number {
  const bits = ecCurveBits(key);
  if (bits === undefined)
    throw new TrustError('signature', 'unsupported elliptic curve');
  return 2 * Math.ceil(bits / 8);
}

/**
 * Verify `sig` over `message` with a key. Throws a TrustError saying why a
 * signature is not valid; returns normally only for a good signature.
 */
export function verifySignature(
  key: PublicTufKey,
  untrustedMethod: string,
  sig: Uint8Array,
  message: Uint8Array,
): void {
  const bad = (why: string): never => {
    throw new TrustError('signature', why);
  };
  const method = signatureMethod(untrustedMethod);
  if (method === undefined) {
    return bad(`unsupported signature method "${untrustedMethod}"`);
  }
  if (key.key === undefined || key.algorithm === undefined) {
    return bad(key.problem ?? `key ${key.id} cannot verify`);
  }
  if (methodAlgorithm[method] !== key.algorithm) {
    return bad(`method ${method} does not fit a ${key.keytype} key`);
  }
  let ok: boolean;
  switch (method) {
    case 'ecdsa': {
      const want = ecdsaSignatureLength(key.key);
      if (sig.length !== want) {
        return bad(
          `ECDSA signature is ${sig.length} bytes, not the ${want}-byte raw r||s (DER signatures are invalid)`,
        );
      }
      ok = verify(
        'sha256',
        message,
        { key: key.key, dsaEncoding: 'ieee-p1363' },
        sig,
      );
      break;
    }
    case 'rsapss':
    case 'rsapkcs1v15': {
      const bits = key.key.asymmetricKeyDetails?.modulusLength ?? 0;
      if (bits < MIN_RSA_BITS) {
        return bad(`RSA key has ${bits} bits, fewer than ${MIN_RSA_BITS}`);
      }
      ok = verify(
        'sha256',
        message,
        method === 'rsapss'
          ? {
              key: key.key,
              padding: constants.RSA_PKCS1_PSS_PADDING,
              saltLength: 32,
            }
          : { key: key.key, padding: constants.RSA_PKCS1_PADDING },
        sig,
      );
      break;
    }
    case 'eddsa':
      ok = sig.length === 64 && verify(null, message, key.key, sig);
      break;
  }
  if (!ok) bad(`${method} signature does not verify`);
}

export interface MadeSignature {
  method: SignatureMethod;
  sig: Buffer;
}

/** Sign `message` as notary does: ECDSA raw r‖s, RSA-PSS (salt 32) or Ed25519. */
export function signMessage(
  privateKey: KeyObject,
  message: Uint8Array,
): MadeSignature {
  switch (privateKey.asymmetricKeyType) {
    case 'ec':
      return {
        method: 'ecdsa',
        sig: sign('sha256', message, {
          key: privateKey,
          dsaEncoding: 'ieee-p1363',
        }),
      };
    case 'rsa': {
      const bits = privateKey.asymmetricKeyDetails?.modulusLength ?? 0;
      if (bits < MIN_RSA_BITS) {
        throw new TrustError(
          'signature',
          `refusing to sign with a ${bits}-bit RSA key (minimum ${MIN_RSA_BITS})`,
        );
      }
      return {
        method: 'rsapss',
        sig: sign('sha256', message, {
          key: privateKey,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: 32,
        }),
      };
    }
    case 'ed25519':
      return { method: 'eddsa', sig: sign(null, message, privateKey) };
    default:
      throw new TrustError(
        'signature',
        `cannot sign with a ${String(privateKey.asymmetricKeyType)} key`,
      );
  }
}
