import { createPrivateKey, type KeyObject } from 'node:crypto';
import { ImgsignError } from '../../errors.js';
import {
  TAG,
  children,
  encode,
  encodeInt,
  encodeOctets,
  encodeOid,
  encodeSequence,
  expectTag,
  parseDer,
  readOid,
  readSmallInt,
} from '../der.js';
import {
  ed25519FromNotaryBytes,
  tufPrivateKeyFromKeyObject,
  type TufPrivateKey,
} from './tuf-private-key.js';
import { wrongPassphrase } from './pbes2.js';

/**
 * Unencrypted PKCS#8 PrivateKeyInfo the way notary writes it (SPEC §7.9):
 * RSA standard; ECDSA with version 1 (notary's quirk) and the curve OID as
 * the algorithm parameter; Ed25519 under OID 1.3.6.1.4.1.11591.15.1 with
 * notary's 96 private bytes. Reading also accepts version 0 ECDSA (what
 * docker's current CLI writes) and RFC 8410 Ed25519.
 */
export const OID = {
  rsa: '1.2.840.113549.1.1.1',
  ecPublicKey: '1.2.840.10045.2.1',
  notaryEd25519: '1.3.6.1.4.1.11591.15.1',
  ed25519: '1.3.101.112',
  p256: '1.2.840.10045.3.1.7',
  p384: '1.3.132.0.34',
  p521: '1.3.132.0.35',
} as const;

const curveOid: Record<string, string> = {
  prime256v1: OID.p256,
  secp384r1: OID.p384,
  secp521r1: OID.p521,
};

/** PKCS#8 DER of `key`, byte-compatible with notary's ConvertTUFKeyToPKCS8. */
export function encodePkcs8(key: TufPrivateKey): Buffer {
  switch (key.keyType) {
    case 'rsa':
      return encodeSequence(
        encodeInt(0),
        encodeSequence(encodeOid(OID.rsa), encode(TAG.null, Buffer.alloc(0))),
        encodeOctets(key.privateBytes),
      );
    case 'ecdsa': {
      const curve = key.privateKey.asymmetricKeyDetails?.namedCurve ?? '';
      const oid = curveOid[curve];
      if (!oid) {
        throw new ImgsignError('KEY_INVALID', `unsupported curve ${curve}`);
      }
      return encodeSequence(
        encodeInt(1),
        encodeSequence(encodeOid(OID.ecPublicKey), encodeOid(oid)),
        encodeOctets(key.privateBytes),
      );
    }
    case 'ed25519':
      return encodeSequence(
        encodeInt(0),
        encodeSequence(encodeOid(OID.notaryEd25519)),
        encodeOctets(key.privateBytes),
      );
  }
}

function importKey(
  der: Buffer,
  type: 'pkcs1' | 'pkcs8' | 'sec1',
  what: string,
): KeyObject {
  try {
    return createPrivateKey({ key: der, format: 'der', type });
  } catch (err) {
    throw new ImgsignError('KEY_INVALID', `${what}: invalid private key`, {
      cause: err,
    });
  }
}

/**
 * Parse an unencrypted PrivateKeyInfo (notary, docker, OpenSSL or RFC 8410
 * flavours). With `decrypted`, the DER came out of decryption, so any
 * structural failure means the passphrase was wrong (PASSPHRASE).
 */
export function decodePkcs8(
  untrustedDer: Buffer,
  what: string,
  decrypted = false,
): TufPrivateKey {
  let parsed: KeyObject | TufPrivateKey;
  try {
    parsed = pkcs8Key(untrustedDer, what);
  } catch (err) {
    if (decrypted) throw wrongPassphrase(what, err);
    throw err;
  }
  return 'keyType' in parsed
    ? parsed
    : tufPrivateKeyFromKeyObject(parsed, what);
}

function pkcs8Key(
  untrustedDer: Buffer,
  what: string,
): KeyObject | TufPrivateKey {
  const where = `${what} (PKCS#8)`;
  const top = children(parseDer(untrustedDer, where), where);
  const version = readSmallInt(top[0], where);
  if (version > 1) {
    throw new ImgsignError(
      'KEY_INVALID',
      `${what}: unsupported PKCS#8 version ${version}`,
    );
  }
  const algorithm = children(expectTag(top[1], TAG.sequence, where), where);
  const oid = readOid(algorithm[0], where);
  const inner = expectTag(top[2], TAG.octetString, where).body;
  switch (oid) {
    case OID.rsa:
      return importKey(inner, 'pkcs1', what);
    case OID.ecPublicKey: {
      // Normalise to a version-0 PrivateKeyInfo with the curve parameter,
      // which OpenSSL imports whether or not the SEC1 body names the curve.
      const params = algorithm[1];
      if (!params || params.tag !== TAG.oid) {
        return importKey(inner, 'sec1', what);
      }
      const normal = encodeSequence(
        encodeInt(0),
        encodeSequence(encodeOid(OID.ecPublicKey), params.raw),
        encodeOctets(inner),
      );
      return importKey(normal, 'pkcs8', what);
    }
    case OID.notaryEd25519:
      return ed25519FromNotaryBytes(inner, what);
    case OID.ed25519:
      return importKey(untrustedDer, 'pkcs8', what);
    default:
      throw new ImgsignError(
        'KEY_INVALID',
        `${what}: unsupported private key algorithm ${oid}`,
      );
  }
}
