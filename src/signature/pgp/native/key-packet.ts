import { createHash, createPublicKey, type KeyObject } from 'node:crypto';

/**
 * Native parsing of V4 OpenPGP public-key packets (RFC 9580 §5.5.2) for the
 * native verification, signing and key-listing paths. Only the common
 * algorithms are handled; anything else throws UnsupportedOpenPGPError and
 * callers fall back to openpgp.js, which stays the authority for every
 * rejection.
 */

/** Thrown for anything the native path does not handle: callers fall back to openpgp.js. */
export class UnsupportedOpenPGPError extends Error {}

export interface PublicKeyPacket {
  version: 4;
  /** Creation time, unix seconds. */
  created: number;
  /** RFC 9580 public-key algorithm ID: 1 or 3 (RSA), 19 (ECDSA), 22 (EdDSA legacy), 27 (Ed25519). */
  algorithm: number;
  /** NIST/Ed curve for 19/22/27; undefined for RSA. */
  curve?: 'P-256' | 'P-384' | 'P-521' | 'Ed25519';
  /** RSA modulus size in bits. */
  bits?: number;
  /** The public-key part of the packet body, exactly as it appears (what fingerprints and signatures hash). */
  publicBody: Buffer;
  /** 40 uppercase hex (V4: SHA-1 over 0x99, 2-byte length, publicBody). */
  fingerprint: string;
  /** 16 uppercase hex, last 8 bytes of the fingerprint. */
  keyID: string;
  /** The key as node:crypto uses it (RSA via JWK n/e, EC via JWK x/y from the uncompressed point, Ed25519 via JWK OKP x). */
  publicKey: KeyObject;
  /** Raw algorithm-specific public values, for signers that must build private JWKs: RSA {n,e}; ECDSA {x,y} (each curve-size bytes); EdDSA {x} (32 bytes). */
  params: Record<string, Buffer>;
}

type Curve = NonNullable<PublicKeyPacket['curve']>;

/** Curve OIDs (RFC 9580 §9.2), hex of the OID body without the DER header. */
const ECDSA_CURVES: Record<string, { curve: Curve; size: number }> = {
  '2a8648ce3d030107': { curve: 'P-256', size: 32 },
  '2b81040022': { curve: 'P-384', size: 48 },
  '2b81040023': { curve: 'P-521', size: 66 },
};
const ED25519_LEGACY_OID = '2b06010401da470f01';

function unsupported(why: string): UnsupportedOpenPGPError {
  return new UnsupportedOpenPGPError(`native OpenPGP: ${why}`);
}

/** Bit length of a big-endian unsigned integer. */
export function bitLength(b: Buffer): number {
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  if (i === b.length) return 0;
  return (b.length - i - 1) * 8 + (32 - Math.clz32(b[i] ?? 0));
}

/**
 * One MPI at `pos`. Only canonical MPIs (declared bit count equal to the
 * value's bit length, non-zero) are accepted: openpgp.js re-serialises
 * MPIs before hashing, so for non-canonical input its fingerprints and
 * signature hashes would differ from ours.
 */
export function readCanonicalMpi(body: Buffer, pos: number): [Buffer, number] {
  if (pos + 2 > body.length) throw unsupported('truncated MPI');
  const bits = body.readUInt16BE(pos);
  const len = (bits + 7) >> 3;
  if (pos + 2 + len > body.length) throw unsupported('truncated MPI');
  const value = body.subarray(pos + 2, pos + 2 + len);
  if (bits === 0 || bitLength(value) !== bits) {
    throw unsupported('non-canonical MPI');
  }
  return [value, pos + 2 + len];
}

function readOid(body: Buffer, pos: number): [string, number] {
  const len = body[pos];
  if (len === undefined || len === 0 || len === 0xff) {
    throw unsupported('bad curve OID');
  }
  if (pos + 1 + len > body.length) throw unsupported('truncated curve OID');
  return [body.subarray(pos + 1, pos + 1 + len).toString('hex'), pos + 1 + len];
}

function b64u(b: Buffer): string {
  return b.toString('base64url');
}

function jwkKey(jwk: Record<string, string>): KeyObject {
  try {
    return createPublicKey({ key: jwk, format: 'jwk' });
  } catch (err) {
    throw new UnsupportedOpenPGPError(
      `native OpenPGP: key material rejected by node:crypto`,
      { cause: err },
    );
  }
}

interface Material {
  curve?: Curve;
  bits?: number;
  publicKey: KeyObject;
  params: Record<string, Buffer>;
}

function readMaterial(
  algorithm: number,
  body: Buffer,
  start: number,
): [Material, number] {
  if (algorithm === 1 || algorithm === 3) {
    const [n, p1] = readCanonicalMpi(body, start);
    const [e, p2] = readCanonicalMpi(body, p1);
    const publicKey = jwkKey({ kty: 'RSA', n: b64u(n), e: b64u(e) });
    return [{ bits: bitLength(n), publicKey, params: { n, e } }, p2];
  }
  if (algorithm === 19) {
    const [oid, p1] = readOid(body, start);
    const c = ECDSA_CURVES[oid];
    if (!c) throw unsupported(`ECDSA curve OID ${oid} is not supported`);
    const [q, p2] = readCanonicalMpi(body, p1);
    if (q.length !== 1 + 2 * c.size || q[0] !== 0x04) {
      throw unsupported('ECDSA point is not an uncompressed point');
    }
    const x = q.subarray(1, 1 + c.size);
    const y = q.subarray(1 + c.size);
    const publicKey = jwkKey({
      kty: 'EC',
      crv: c.curve,
      x: b64u(x),
      y: b64u(y),
    });
    return [{ curve: c.curve, publicKey, params: { x, y } }, p2];
  }
  if (algorithm === 22) {
    const [oid, p1] = readOid(body, start);
    if (oid !== ED25519_LEGACY_OID) {
      throw unsupported(`EdDSA curve OID ${oid} is not supported`);
    }
    const [q, p2] = readCanonicalMpi(body, p1);
    if (q.length !== 33 || q[0] !== 0x40) {
      throw unsupported('EdDSA point is not a 0x40-prefixed native point');
    }
    const x = q.subarray(1);
    const publicKey = jwkKey({ kty: 'OKP', crv: 'Ed25519', x: b64u(x) });
    return [{ curve: 'Ed25519', publicKey, params: { x } }, p2];
  }
  if (algorithm === 27) {
    if (start + 32 > body.length) throw unsupported('truncated Ed25519 key');
    const x = body.subarray(start, start + 32);
    const publicKey = jwkKey({ kty: 'OKP', crv: 'Ed25519', x: b64u(x) });
    return [{ curve: 'Ed25519', publicKey, params: { x } }, start + 32];
  }
  throw unsupported(`public-key algorithm ${algorithm} is not supported`);
}

/** V4 fingerprint: SHA-1 over 0x99, 2-byte length, public body (RFC 9580 §5.5.4.2). */
export function v4Fingerprint(publicBody: Buffer): string {
  const head = Buffer.from([0x99, publicBody.length >> 8, publicBody.length]);
  return createHash('sha1')
    .update(head)
    .update(publicBody)
    .digest('hex')
    .toUpperCase();
}

/**
 * Parse a public-key or public-subkey packet body, or the public part at the
 * start of a secret-key/secret-subkey body. Returns the packet and the
 * offset where the public part ends. Throws UnsupportedOpenPGPError for
 * V3/V5/V6 keys, other algorithms and curves, and malformed input (the
 * openpgp.js fallback then reports it).
 */
export function parsePublicKeyPacket(body: Buffer): {
  key: PublicKeyPacket;
  end: number;
} {
  if (body.length < 6) throw unsupported('truncated key packet');
  if (body[0] !== 4) {
    throw unsupported(`key packet version ${body[0]} is not supported`);
  }
  const created = body.readUInt32BE(1);
  const algorithm = body[5] ?? 0;
  const [material, end] = readMaterial(algorithm, body, 6);
  if (end > 0xffff) throw unsupported('key packet too large');
  const publicBody = body.subarray(0, end);
  const fingerprint = v4Fingerprint(publicBody);
  const key: PublicKeyPacket = {
    version: 4,
    created,
    algorithm,
    publicBody,
    fingerprint,
    keyID: fingerprint.slice(24),
    ...material,
  };
  return { key, end };
}

/** The public part of any subkey the native paths accept. */
export interface SubkeyPublic {
  /** 40 uppercase hex. */
  fingerprint: string;
  /** 16 uppercase hex. */
  keyID: string;
  algorithm: number;
  /** The parsed key; undefined for encryption-only algorithms (ElGamal, ECDH, X25519), kept only for their identity. */
  key?: PublicKeyPacket;
  /** Where the public part ends (a secret part may follow). */
  end: number;
}

/** ECDH curves openpgp.js and gpg write: NIST P-256/384/521 and Curve25519 (legacy). */
const ECDH_OIDS = new Set([
  '2a8648ce3d030107',
  '2b81040022',
  '2b81040023',
  '2b060104019755010501',
]);

/**
 * The end of the public part of an encryption-only key (RFC 9580 §5.5.5),
 * read as strictly as parsePublicKeyPacket (canonical encodings only, so
 * that openpgp.js computes the same fingerprint and writes the same bytes).
 */
function encryptionKeyEnd(body: Buffer): number {
  if (body.length < 6 || body[0] !== 4) throw unsupported('subkey version');
  const algo = body[5];
  let pos = 6;
  if (algo === 16) {
    for (let i = 0; i < 3; i++) pos = readCanonicalMpi(body, pos)[1];
    return pos;
  }
  if (algo === 25) {
    if (pos + 32 > body.length) throw unsupported('truncated X25519 key');
    return pos + 32;
  }
  if (algo === 18) {
    const len = body[pos] ?? 0;
    const oid = body.subarray(pos + 1, pos + 1 + len).toString('hex');
    if (!ECDH_OIDS.has(oid)) throw unsupported(`ECDH curve ${oid}`);
    pos = readCanonicalMpi(body, pos + 1 + len)[1];
    if (pos + 4 > body.length || body[pos] !== 3 || body[pos + 1] !== 1) {
      throw unsupported('ECDH KDF parameters');
    }
    return pos + 4;
  }
  throw unsupported(`subkey algorithm ${algo}`);
}

/**
 * The public part of a subkey or secret-subkey body: signing algorithms
 * as parsePublicKeyPacket reads them, plus ElGamal (16), ECDH (18) and
 * X25519 (25) encryption keys. RSA encrypt-only (2), X448 and the rest
 * throw UnsupportedOpenPGPError.
 */
export function parseSubkeyPublic(body: Buffer): SubkeyPublic {
  const algorithm = body[5] ?? 0;
  if (algorithm === 16 || algorithm === 18 || algorithm === 25) {
    const end = encryptionKeyEnd(body);
    const fingerprint = v4Fingerprint(body.subarray(0, end));
    return { fingerprint, keyID: fingerprint.slice(24), algorithm, end };
  }
  const { key, end } = parsePublicKeyPacket(body);
  const { fingerprint, keyID } = key;
  return { fingerprint, keyID, algorithm, key, end };
}
