import { createHash, createPublicKey, verify } from 'node:crypto';
import type { Key, Subkey } from 'openpgp';
import { InvalidSignatureError } from '../../errors.js';
import type { ParsedSignaturePacket, ParsedSignedMessage } from './packets.js';

/**
 * Verification of version-3 signature packets (RFC 4880 §5.2.2), which
 * openpgp.js refuses to parse but gpg and containers/image accept (SPEC
 * §1.3, appendix). Only RSA over binary/text documents with SHA-2 hashes:
 * anything else fails closed. The caller has already checked that
 * `signingKey` is currently valid for signing (not revoked or expired).
 */
const hashes: Record<number, string> = {
  8: 'sha256',
  9: 'sha384',
  10: 'sha512',
  11: 'sha224',
};

function reject(why: string): InvalidSignatureError {
  return new InvalidSignatureError(`V3 signature rejected: ${why}`);
}

export function verifyV3Signature(
  message: ParsedSignedMessage,
  sig: ParsedSignaturePacket,
  signingKey: Key | Subkey,
): Buffer {
  const literal = message.literal;
  if (literal === undefined) throw reject('no signed data');
  const hash = hashes[sig.hashAlgorithm];
  if (hash === undefined) {
    throw reject(`unsupported or insecure hash algorithm ${sig.hashAlgorithm}`);
  }
  if (sig.publicKeyAlgorithm !== 1 && sig.publicKeyAlgorithm !== 3) {
    throw reject(
      `public-key algorithm ${sig.publicKeyAlgorithm} is not supported for V3 signatures (RSA only)`,
    );
  }
  let data = literal.data;
  if (sig.sigType === 0x01) {
    data = Buffer.from(
      data.toString('latin1').replace(/\r?\n/g, '\r\n'),
      'latin1',
    );
  } else if (sig.sigType !== 0x00) {
    throw reject(
      `signature type 0x${sig.sigType.toString(16)} is not a document signature`,
    );
  }
  const trailer = Buffer.alloc(5);
  trailer[0] = sig.sigType;
  trailer.writeUInt32BE(sig.creationTime ?? 0, 1);
  const signed = Buffer.concat([data, trailer]);
  const digest = createHash(hash).update(signed).digest();
  if (!sig.hashLeft16 || !digest.subarray(0, 2).equals(sig.hashLeft16)) {
    throw reject(
      'BAD signature (hash prefix mismatch: the payload was modified)',
    );
  }
  const keyPacket = signingKey.keyPacket;
  const params = keyPacket.publicParams as { n?: Uint8Array; e?: Uint8Array };
  const algorithm = keyPacket.algorithm as unknown as number;
  if ((algorithm !== 1 && algorithm !== 3) || !params.n || !params.e) {
    throw reject('the signing key is not an RSA signing key');
  }
  if ((sig.creationTime ?? 0) * 1000 < keyPacket.created.getTime()) {
    throw reject('the signature predates the signing key');
  }
  const n = Buffer.from(params.n);
  const publicKey = createPublicKey({
    key: {
      kty: 'RSA',
      n: n.toString('base64url'),
      e: Buffer.from(params.e).toString('base64url'),
    },
    format: 'jwk',
  });
  const mpi = sig.mpis?.[0];
  const modulusBytes = n.length - (n[0] === 0 ? 1 : 0);
  if (mpi === undefined || mpi.length > modulusBytes) {
    throw reject('malformed RSA signature value');
  }
  const padded = Buffer.concat([Buffer.alloc(modulusBytes - mpi.length), mpi]);
  if (!verify(hash, signed, publicKey, padded)) {
    throw reject('BAD signature (the payload or signature was modified)');
  }
  return Buffer.from(literal.data);
}
