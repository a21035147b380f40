import { InvalidSignatureError } from '../errors.js';

/**
 * Stored-signature sniffing (SPEC §1.3, c/image FromBlob): what kind of
 * signature a blob read from a lookaside, `dir:` or the extension API is.
 * Simple-signing blobs are raw OpenPGP; other formats carry a `\0name\n`
 * prefix. ASCII armor is never accepted in storage.
 */
export type SignatureFormat = 'simple-signing' | 'sigstore';

/** Largest signature blob imgsign reads from anywhere (c/image caps at 4 MiB). */
export const MAX_SIGNATURE_BYTES = 4 * 1024 * 1024;

// First bytes of an OpenPGP message: compressed data, one-pass signature,
// signature packets (old and new packet format). 0x3D is c/image's quirk.
const openpgpFirstBytes = new Set([
  0xa0, 0xa1, 0xa2, 0xa3, 0xc8, 0x90, 0x91, 0x92, 0x3d, 0xc4, 0x88, 0x89, 0x8a,
  0x8b, 0xc2,
]);

const formatNames: Record<string, SignatureFormat> = {
  'simple-signing': 'simple-signing',
  'sigstore-json': 'sigstore',
};

export interface DecodedSignatureBlob {
  format: SignatureFormat;
  /** The signature itself: the OpenPGP message, or the sigstore JSON. */
  payload: Buffer;
}

export function decodeSignatureBlob(blob: Buffer): DecodedSignatureBlob {
  const first = blob[0];
  if (first === undefined) {
    throw new InvalidSignatureError('signature blob is empty');
  }
  if (openpgpFirstBytes.has(first)) {
    return { format: 'simple-signing', payload: blob };
  }
  if (first === 0x00) {
    const nl = blob.indexOf(0x0a, 1);
    const name = blob.subarray(1, nl === -1 ? Math.min(blob.length, 65) : nl);
    if (nl === -1 || name.some((b) => b < 0x20 || b > 0x7e)) {
      throw new InvalidSignatureError(
        'signature blob has an invalid format-name prefix',
      );
    }
    const format = formatNames[name.toString('ascii')];
    if (format === undefined) {
      throw new InvalidSignatureError(
        `signature blob has unknown format "${name.toString('ascii')}"`,
      );
    }
    return { format, payload: blob.subarray(nl + 1) };
  }
  if (first === 0x2d /* '-' */) {
    throw new InvalidSignatureError(
      'signature blob is ASCII-armored; stored simple signatures must be binary OpenPGP',
    );
  }
  throw new InvalidSignatureError(
    `signature blob starts with unrecognised byte 0x${first.toString(16).padStart(2, '0')}`,
  );
}

/** Which kind of signature `blob` is; throws InvalidSignatureError on empty, armored or unknown blobs. */
export function classifySignatureBlob(blob: Buffer): SignatureFormat {
  return decodeSignatureBlob(blob).format;
}

/** The stored form of a signature: simple signing raw, others prefixed (§1.3). */
export function encodeSignatureBlob(
  format: SignatureFormat,
  payload: Buffer,
): Buffer {
  if (format === 'simple-signing') return payload;
  return Buffer.concat([Buffer.from('\0sigstore-json\n', 'ascii'), payload]);
}
