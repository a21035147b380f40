/**
 * TUF public keys as Notary writes them (SPEC §7.1):
 * `{"keytype":T,"keyval":{"private":null,"public":BASE64}}` with T one of
 * `ecdsa`, `rsa` (DER SubjectPublicKeyInfo), `ecdsa-x509`, `rsa-x509` (PEM
 * certificate bundle, leaf first) or `ed25519` (raw 32 bytes). The key ID
 * is the SHA-256 of that canonical JSON. A key that parses as JSON but
 * cannot verify (unknown type, bad DER, RSA < 2048 bits) is kept with a
 * `problem`: like notary, only signatures made with it fail.
 */
import {
  createHash,
  createPublicKey,
  type KeyObject,
  type X509Certificate,
} from 'node:crypto';
import { TrustError } from '../../errors.js';
import { canonicalJSON } from './canonical-json.js';
import { parseCertificateBundle } from './x509-info.js';

export const MIN_RSA_BITS = 2048;

export type KeyType = 'ecdsa' | 'ecdsa-x509' | 'rsa' | 'rsa-x509' | 'ed25519';
export type KeyAlgorithm = 'ecdsa' | 'rsa' | 'ed25519';

/** The JSON form of a public key, exactly what the key ID hashes. */
export interface TufKeyJSON {
  keytype: string;
  keyval: { private: null; public: string };
}

export interface PublicTufKey {
  /** Lowercase hex SHA-256 of the canonical key JSON. */
  id: string;
  keytype: string;
  json: TufKeyJSON;
  /** The decoded `keyval.public` bytes. */
  publicBytes: Buffer;
  /** Set when the key can verify signatures. */
  key?: KeyObject;
  algorithm?: KeyAlgorithm;
  /** x509 key types: the certificates of the bundle, leaf first. */
  certificates?: X509Certificate[];
  /** Why this key cannot verify anything (set instead of `key`). */
  problem?: string;
}

const base64Re =
  /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decode standard, padded base64 as Go's StdEncoding does (CR/LF ignored); undefined if invalid. */
export function decodeBase64(s: string): Buffer | undefined {
  const clean = s.replace(/[\r\n]/g, '');
  return base64Re.test(clean) ? Buffer.from(clean, 'base64') : undefined;
}

/** Key ID of a key JSON: hex SHA-256 of its canonical form (private always null). */
export function keyID(json: TufKeyJSON): string {
  const c = canonicalJSON({
    keytype: json.keytype,
    keyval: { private: null, public: json.keyval.public },
  });
  return createHash('sha256').update(c).digest('hex');
}

const curveBits: Record<string, number> = {
  prime256v1: 256,
  secp384r1: 384,
  secp521r1: 521,
  secp224r1: 224,
};

/** Bits of the EC curve of a key (P-224…P-521), undefined for other curves. */
export function ecCurveBits(key: KeyObject): number | undefined {
  const c = key.asymmetricKeyDetails?.namedCurve;
  return c === undefined ? undefined : curveBits[c];
}

function keyProblem(
  key: KeyObject,
  algorithm: KeyAlgorithm,
): string | undefined {
  if (algorithm === 'ecdsa') {
    if (key.asymmetricKeyType !== 'ec') return 'not an ECDSA key';
    if (ecCurveBits(key) === undefined) return 'unsupported elliptic curve';
  } else if (algorithm === 'rsa') {
    if (key.asymmetricKeyType !== 'rsa') return 'not an RSA key';
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS) {
      return `RSA key has ${bits} bits, fewer than ${MIN_RSA_BITS}`;
    }
  }
  return undefined;
}

function usable(
  base: PublicTufKey,
  make: () => { key: KeyObject; certificates?: X509Certificate[] },
  algorithm: KeyAlgorithm,
): PublicTufKey {
  let made: { key: KeyObject; certificates?: X509Certificate[] };
  try {
    made = make();
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return { ...base, problem: `unparsable ${base.keytype} key (${why})` };
  }
  const problem = keyProblem(made.key, algorithm);
  if (problem !== undefined) return { ...base, ...made, problem };
  return { ...base, ...made, algorithm };
}

function fromCertificates(pem: Buffer): {
  key: KeyObject;
  certificates: X509Certificate[];
} {
  const certificates = parseCertificateBundle(pem.toString('latin1'));
  const leaf = certificates[0];
  if (!leaf) throw new Error('no PEM certificate');
  return { key: leaf.publicKey, certificates };
}

/**
 * Parse one key JSON from untrusted metadata. `where` names it in errors
 * (`root.json key abc…`). Throws only for structurally invalid JSON.
 */
export function parseTufKey(untrusted: unknown, where: string): PublicTufKey {
  const fail = (what: string): never => {
    throw new TrustError('format', `${where}: ${what}`);
  };
  if (typeof untrusted !== 'object' || untrusted === null) {
    return fail('key is not a JSON object');
  }
  const u = untrusted as Record<string, unknown>;
  if (typeof u.keytype !== 'string') fail('"keytype" is not a string');
  const keyval = u.keyval as Record<string, unknown> | null | undefined;
  if (typeof keyval !== 'object' || keyval === null)
    fail('"keyval" is not an object');
  if (keyval!.private !== null && keyval!.private !== undefined) {
    fail('"keyval.private" must be null in public metadata');
  }
  if (typeof keyval!.public !== 'string')
    fail('"keyval.public" is not a string');
  const publicBytes = decodeBase64(keyval!.public as string);
  if (publicBytes === undefined) return fail('"keyval.public" is not base64');
  const keytype = u.keytype as string;
  // Go re-encodes []byte when hashing: the ID uses the normalized base64.
  const json: TufKeyJSON = {
    keytype,
    keyval: { private: null, public: publicBytes.toString('base64') },
  };
  const base: PublicTufKey = { id: keyID(json), keytype, json, publicBytes };
  const spki = (): { key: KeyObject } => ({
    key: createPublicKey({ key: publicBytes, format: 'der', type: 'spki' }),
  });
  switch (keytype) {
    case 'ecdsa':
      return usable(base, spki, 'ecdsa');
    case 'rsa':
      return usable(base, spki, 'rsa');
    case 'ecdsa-x509':
      return usable(base, () => fromCertificates(publicBytes), 'ecdsa');
    case 'rsa-x509':
      return usable(base, () => fromCertificates(publicBytes), 'rsa');
    case 'ed25519':
      if (publicBytes.length !== 32) {
        return { ...base, problem: 'ed25519 public key is not 32 bytes' };
      }
      return usable(
        base,
        () => ({
          key: createPublicKey({
            key: {
              kty: 'OKP',
              crv: 'Ed25519',
              x: publicBytes.toString('base64url'),
            },
            format: 'jwk',
          }),
        }),
        'ed25519',
      );
    default:
      return { ...base, problem: `unsupported key type "${keytype}"` };
  }
}

/** Key JSON for a plain public key: `ecdsa`, `rsa` (DER SPKI) or `ed25519` (raw). */
export function tufKeyFromPublicKey(key: KeyObject): TufKeyJSON {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  const make = (keytype: string, bytes: Buffer): TufKeyJSON => ({
    keytype,
    keyval: { private: null, public: bytes.toString('base64') },
  });
  const spki = (): Buffer => pub.export({ type: 'spki', format: 'der' });
  switch (pub.asymmetricKeyType) {
    case 'ec':
      return make('ecdsa', spki());
    case 'rsa':
      return make('rsa', spki());
    case 'ed25519': {
      const jwk = pub.export({ format: 'jwk' });
      return make('ed25519', Buffer.from(jwk.x ?? '', 'base64url'));
    }
    default:
      throw new TrustError(
        'format',
        `cannot make a TUF key from a ${String(pub.asymmetricKeyType)} key`,
      );
  }
}

/** Key JSON for a PEM certificate bundle (leaf first): `ecdsa-x509` or `rsa-x509`. */
export function tufKeyFromCertificatePEM(pem: string): TufKeyJSON {
  const leaf = parseCertificateBundle(pem)[0];
  if (!leaf) throw new TrustError('format', 'no PEM certificate in the bundle');
  const type = leaf.publicKey.asymmetricKeyType;
  if (type !== 'ec' && type !== 'rsa') {
    throw new TrustError(
      'format',
      `unsupported certificate key type ${String(type)}`,
    );
  }
  return {
    keytype: type === 'ec' ? 'ecdsa-x509' : 'rsa-x509',
    keyval: { private: null, public: Buffer.from(pem).toString('base64') },
  };
}

/**
 * Canonical key ID (private key file names, signer listings): for x509
 * keys the ID of the plain `ecdsa`/`rsa` key of the leaf's SPKI, else the key ID.
 */
export function canonicalKeyID(key: PublicTufKey): string {
  if (key.keytype !== 'ecdsa-x509' && key.keytype !== 'rsa-x509') return key.id;
  const leaf = key.certificates?.[0];
  if (!leaf) {
    throw new TrustError(
      'format',
      `key ${key.id}: no certificate to derive its canonical ID`,
    );
  }
  return keyID(tufKeyFromPublicKey(leaf.publicKey));
}
