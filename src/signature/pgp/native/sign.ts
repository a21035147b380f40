import {
  createHash,
  randomBytes,
  sign as cryptoSign,
  verify as cryptoVerify,
  type KeyObject,
} from 'node:crypto';
import { UnsupportedOpenPGPError, type PublicKeyPacket } from './key-packet.js';

/**
 * Native OpenPGP signing (RFC 9580 §5.2) for the common case: a binary
 * signed message in exactly the shape openpgp.js v6 `sign({format:
 * 'binary'})` writes for a V4 key — one-pass signature, literal data ('b',
 * no file name, the signing time) and a V4 signature of type 0x00 whose
 * hashed area holds the creation time (critical), issuer key ID,
 * openpgp.js's salt notation and the issuer fingerprint, with an empty
 * unhashed area. gpg, gpgme (skopeo) and openpgp.js all accept it.
 */

export interface NativeSigningKey {
  key: PublicKeyPacket;
  privateKey: KeyObject;
  /** RFC 9580 hash ID: 8 (SHA-256), 9 (SHA-384) or 10 (SHA-512); see preferredHashAlgorithm. */
  hashAlgorithm: number;
}

const HASH_NAMES: Record<number, string> = {
  8: 'sha256',
  9: 'sha384',
  10: 'sha512',
};
/** Digest sizes of the hashes openpgp.js knows (enums.hash). */
const HASH_SIZES: Record<number, number> = {
  1: 16,
  2: 20,
  3: 20,
  8: 32,
  9: 48,
  10: 64,
  11: 28,
  12: 32,
  14: 64,
};
const SALT_NOTATION = Buffer.from('salt@notations.openpgpjs.org');

/**
 * The hash openpgp.js v6 picks when signing with `key` (its
 * getPreferredHashAlgo with the signing key itself as the only target):
 * SHA-512 when the self-signature prefers it, else the weakest preferred
 * hash at least as strong as SHA-256 (SHA-256 when there is none), and for
 * ECC at least the curve's own hash. Throws UnsupportedOpenPGPError when
 * the result is not SHA-256/384/512.
 */
export function preferredHashAlgorithm(
  key: PublicKeyPacket,
  preferred: readonly number[],
): number {
  const counts = new Map<number, number>();
  for (const h of preferred) {
    if (HASH_SIZES[h] !== undefined) counts.set(h, (counts.get(h) ?? 0) + 1);
  }
  const supported = (h: number): boolean => counts.get(h) === 1 || h === 8;
  const size = (h: number): number => HASH_SIZES[h] ?? 0;
  const strongest = (): number => {
    if (counts.size === 0) return 8;
    const sorted = [...counts.keys()]
      .filter(supported)
      .sort((a, b) => size(a) - size(b));
    const first = sorted[0] ?? 8;
    return size(first) >= size(8) ? first : 8;
  };
  let hash: number;
  if (key.algorithm === 1 || key.algorithm === 3) {
    hash = supported(10) ? 10 : strongest();
  } else {
    // openpgp.js's curve hashes: SHA-512 for EdDSA legacy (its curve
    // table), SHA-256 for Ed25519 (27) and P-256.
    const curveHash =
      key.curve === 'P-384'
        ? 9
        : key.curve === 'P-521' || key.algorithm === 22
          ? 10
          : 8;
    if (supported(10) && size(10) >= size(curveHash)) hash = 10;
    else {
      const s = strongest();
      hash = size(s) >= size(curveHash) ? s : curveHash;
    }
  }
  if (HASH_NAMES[hash] === undefined) {
    throw new UnsupportedOpenPGPError(
      `native OpenPGP: signing hash ${hash} is not supported`,
    );
  }
  return hash;
}

/** openpgp.js's simple new-format length (RFC 9580 §4.2.1). */
function simpleLength(n: number): Buffer {
  if (n < 192) return Buffer.from([n]);
  if (n < 8384) return Buffer.from([((n - 192) >> 8) + 192, (n - 192) & 0xff]);
  const b = Buffer.alloc(5);
  b[0] = 255;
  b.writeUInt32BE(n, 1);
  return b;
}

/** A new-format packet, as openpgp.js writes every packet. */
export function writePacket(tag: number, body: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from([0xc0 | tag]),
    simpleLength(body.length),
    body,
  ]);
}

function subpacket(type: number, body: Buffer): Buffer {
  return Buffer.concat([
    simpleLength(body.length + 1),
    Buffer.from([type]),
    body,
  ]);
}

/** MPI without leading zero bits (RFC 9580 §3.2). */
function mpi(value: Buffer): Buffer {
  let i = 0;
  while (i < value.length - 1 && value[i] === 0) i++;
  const v = value.subarray(i);
  const bits =
    v.length === 0 || v[0] === 0
      ? 0
      : (v.length - 1) * 8 + 32 - Math.clz32(v[0]!);
  const head = Buffer.alloc(2);
  head.writeUInt16BE(bits);
  return Buffer.concat([head, v]);
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** Algorithm-specific signature fields over `data` (hash of `data` is `digest`). */
function signatureFields(
  signer: NativeSigningKey,
  hashName: string,
  data: Buffer,
  digest: Buffer,
): Buffer {
  const { key, privateKey } = signer;
  let raw: Buffer;
  let ok: boolean;
  if (key.algorithm === 1 || key.algorithm === 3) {
    raw = cryptoSign(hashName, data, privateKey);
    ok = cryptoVerify(hashName, data, key.publicKey, raw);
    if (ok) return mpi(raw);
  } else if (key.algorithm === 19) {
    const opts = { dsaEncoding: 'ieee-p1363' as const };
    raw = cryptoSign(hashName, data, { key: privateKey, ...opts });
    ok = cryptoVerify(hashName, data, { key: key.publicKey, ...opts }, raw);
    const half = raw.length / 2;
    if (ok) {
      return Buffer.concat([
        mpi(raw.subarray(0, half)),
        mpi(raw.subarray(half)),
      ]);
    }
  } else if (key.algorithm === 22 || key.algorithm === 27) {
    // EdDSA signs the digest, not the data (RFC 9580 §5.2.3.3).
    raw = cryptoSign(null, digest, privateKey);
    ok = cryptoVerify(null, digest, key.publicKey, raw);
    if (ok && key.algorithm === 27) return raw;
    if (ok) {
      return Buffer.concat([mpi(raw.subarray(0, 32)), mpi(raw.subarray(32))]);
    }
  } else {
    throw new UnsupportedOpenPGPError(
      `native OpenPGP: cannot sign with algorithm ${key.algorithm}`,
    );
  }
  // The secret and public halves disagree: let openpgp.js report the key.
  throw new UnsupportedOpenPGPError(
    'native OpenPGP: the secret key does not match its public key',
  );
}

/** A binary signed message over `payload`, as openpgp.js v6 writes it. */
export function nativeSign(
  signer: NativeSigningKey,
  payload: Buffer,
  date: Date = new Date(),
): Buffer {
  const { key, hashAlgorithm } = signer;
  const hashName = HASH_NAMES[hashAlgorithm];
  if (hashName === undefined) {
    throw new UnsupportedOpenPGPError(
      `native OpenPGP: signing hash ${hashAlgorithm} is not supported`,
    );
  }
  const created = Math.floor(date.getTime() / 1000);
  const keyID = Buffer.from(key.keyID, 'hex');
  const salt = randomBytes(
    hashAlgorithm === 8 ? 16 : hashAlgorithm === 9 ? 24 : 32,
  );
  const notation = Buffer.concat([
    Buffer.from([0, 0, 0, 0, 0, SALT_NOTATION.length, 0, salt.length]),
    SALT_NOTATION,
    salt,
  ]);
  const hashed = Buffer.concat([
    subpacket(0x80 | 2, u32(created)),
    subpacket(16, keyID),
    subpacket(20, notation),
    subpacket(
      33,
      Buffer.concat([Buffer.from([4]), Buffer.from(key.fingerprint, 'hex')]),
    ),
  ]);
  const head = Buffer.concat([
    Buffer.from([
      4,
      0x00,
      key.algorithm,
      hashAlgorithm,
      hashed.length >> 8,
      hashed.length & 0xff,
    ]),
    hashed,
  ]);
  const trailer = Buffer.concat([Buffer.from([4, 0xff]), u32(head.length)]);
  const data = Buffer.concat([payload, head, trailer]);
  const digest = createHash(hashName).update(data).digest();
  const fields = signatureFields(signer, hashName, data, digest);
  const onePass = Buffer.concat([
    Buffer.from([3, 0x00, hashAlgorithm, key.algorithm]),
    keyID,
    Buffer.from([1]),
  ]);
  const literal = Buffer.concat([
    Buffer.from([0x62, 0]),
    u32(created),
    payload,
  ]);
  const signature = Buffer.concat([
    head,
    Buffer.from([0, 0]),
    digest.subarray(0, 2),
    fields,
  ]);
  return Buffer.concat([
    writePacket(4, onePass),
    writePacket(11, literal),
    writePacket(2, signature),
  ]);
}
