import { constants, createHash, verify as cryptoVerify } from 'node:crypto';
import type { PublicKeyPacket } from './key-packet.js';
import { HASH_NAMES, type V4Signature } from './signature-packet.js';

/**
 * Verification of parsed V4 signatures with node:crypto, as openpgp.js
 * SignaturePacket.verify does it, and the data key signatures cover
 * (RFC 9580 §5.2.4). Anything it cannot tell is 'unknown': callers stay
 * undecided and openpgp.js judges.
 */

/** The hashed form of a key packet (RFC 9580 §5.2.4: 0x99, 2-byte length, body). */
export function keyHashPrefix(key: PublicKeyPacket): Buffer {
  const len = key.publicBody.length;
  return Buffer.concat([Buffer.from([0x99, len >> 8, len]), key.publicBody]);
}

/** Data hashed for a certification of `userID` (0x10–0x13, 0x30). */
export function certificationData(
  primary: PublicKeyPacket,
  userID: Buffer,
): Buffer {
  const head = Buffer.alloc(5);
  head[0] = 0xb4;
  head.writeUInt32BE(userID.length, 1);
  return Buffer.concat([keyHashPrefix(primary), head, userID]);
}

/** Data hashed for subkey binding (0x18) and primary-key binding (0x19). */
export function bindingData(
  primary: PublicKeyPacket,
  subkey: PublicKeyPacket,
): Buffer {
  return Buffer.concat([keyHashPrefix(primary), keyHashPrefix(subkey)]);
}

function leftPad(b: Buffer, size: number): Buffer | undefined {
  if (b.length > size) return undefined;
  return b.length === size
    ? b
    : Buffer.concat([Buffer.alloc(size - b.length), b]);
}

const CURVE_SIZE: Record<string, number> = {
  'P-256': 32,
  'P-384': 48,
  'P-521': 66,
  Ed25519: 32,
};

/**
 * 'valid': the signature verifies and is valid at `date` (unix seconds);
 * 'time': it verifies but was created after `date` or had expired by then
 * (openpgp.js rejects it too); 'unknown': anything else — the native path
 * cannot tell, so its caller must stay undecided.
 */
export type SignatureCheck = 'valid' | 'time' | 'unknown';

/** Verify `sig` over `data` with `key` as openpgp.js SignaturePacket.verify would, at `date`. */
export function checkSignature(
  sig: V4Signature,
  key: PublicKeyPacket,
  data: Buffer,
  date: number,
  document: boolean,
): SignatureCheck {
  if (sig.issuerKeyID !== key.keyID) return 'unknown';
  if (sig.publicKeyAlgorithm !== key.algorithm) return 'unknown';
  const hashName = HASH_NAMES[sig.hashAlgorithm];
  // openpgp rejects SHA-1 for data signatures; EdDSA needs >= 256-bit digests.
  if (hashName === undefined || (document && sig.hashAlgorithm === 2)) {
    return 'unknown';
  }
  const eddsa = key.algorithm === 22 || key.algorithm === 27;
  if (eddsa && ![8, 9, 10].includes(sig.hashAlgorithm)) return 'unknown';
  const trailer = Buffer.alloc(6);
  trailer[0] = 4;
  trailer[1] = 0xff;
  trailer.writeUInt32BE(sig.hashedPart.length, 2);
  const toHash = Buffer.concat([data, sig.hashedPart, trailer]);
  const digest = createHash(hashName).update(toHash).digest();
  if (!digest.subarray(0, 2).equals(sig.left16)) return 'unknown';
  let ok = false;
  try {
    if (key.algorithm === 1 || key.algorithm === 3) {
      const n = key.params.n;
      const s = n && leftPad(sig.params[0]!, n.length);
      if (!s) return 'unknown';
      ok = cryptoVerify(
        hashName,
        toHash,
        { key: key.publicKey, padding: constants.RSA_PKCS1_PADDING },
        s,
      );
    } else {
      const size = CURVE_SIZE[key.curve ?? ''] ?? 0;
      let rs: Buffer | undefined;
      if (key.algorithm === 27) rs = sig.params[0];
      else {
        const r = leftPad(sig.params[0]!, size);
        const s = leftPad(sig.params[1]!, size);
        if (r && s) rs = Buffer.concat([r, s]);
      }
      if (!rs || size === 0) return 'unknown';
      ok = eddsa
        ? cryptoVerify(null, digest, key.publicKey, rs)
        : cryptoVerify(
            hashName,
            toHash,
            { key: key.publicKey, dsaEncoding: 'ieee-p1363' },
            rs,
          );
    }
  } catch {
    return 'unknown';
  }
  if (!ok) return 'unknown';
  if (sig.created > date) return 'time';
  if (sig.expiresAfter !== 0 && date >= sig.created + sig.expiresAfter) {
    return 'time';
  }
  return 'valid';
}
