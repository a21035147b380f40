import { createHash, type Hash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { digestAlgorithm, digestHex } from '../../../digest/digest.js';
import { ImgsignError } from '../../../errors.js';

/** A pass-through that hashes and counts what flows through it. */
export class HashingStream extends Transform {
  private readonly hash: Hash;
  bytes = 0;

  constructor(private readonly algorithm: string) {
    super();
    this.hash = createHash(algorithm);
  }

  override _transform(
    chunk: Buffer,
    _encoding: BufferEncoding,
    callback: (err?: Error | null, data?: Buffer) => void,
  ): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    callback(null, chunk);
  }

  digest(): string {
    return `${this.algorithm}:${this.hash.digest('hex')}`;
  }
}

/** Throw DIGEST_MISMATCH unless `actual` is `expected` (and the size matches when known). */
export function checkBlob(
  where: string,
  expected: { digest: string; size: number },
  actual: { digest: string; size: number },
): void {
  if (actual.digest !== expected.digest) {
    throw new ImgsignError(
      'DIGEST_MISMATCH',
      `${where}: blob ${expected.digest} has digest ${actual.digest}; nothing committed`,
    );
  }
  if (expected.size >= 0 && actual.size !== expected.size) {
    throw new ImgsignError(
      'DIGEST_MISMATCH',
      `${where}: blob ${expected.digest} is ${actual.size} bytes, expected ${expected.size}; nothing committed`,
    );
  }
}

export interface SpooledBlob {
  /** Digest and size of the bytes received. */
  raw: { digest: string; size: number };
  /** Digest (sha256) and size of what was written to `file` (decompressed if asked). */
  stored: { digest: string; size: number };
}

/** Copy `stream` to `file`, hashing the input and, with `gunzip`, the decompressed output. */
export async function spoolBlob(
  stream: Readable,
  algorithm: string,
  file: string,
  gunzip: boolean,
): Promise<SpooledBlob> {
  const raw = new HashingStream(algorithm);
  const stored = gunzip ? new HashingStream('sha256') : raw;
  const out = createWriteStream(file, { mode: 0o600 });
  if (gunzip) await pipeline(stream, raw, createGunzip(), stored, out);
  else await pipeline(stream, raw, out);
  const rawResult = { digest: raw.digest(), size: raw.bytes };
  return {
    raw: rawResult,
    stored: gunzip
      ? { digest: stored.digest(), size: stored.bytes }
      : rawResult,
  };
}

export { digestAlgorithm, digestHex };
