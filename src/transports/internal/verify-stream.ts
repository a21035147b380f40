import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { digestAlgorithm, isValidDigest } from '../../digest/digest.js';
import { ImgsignError } from '../../errors.js';

/**
 * A pass-through stream that hashes and counts what flows through it and
 * fails (instead of ending) when the bytes do not hash to `digest` or their
 * count differs from `size` (-1 = unknown). A destination that consumes it
 * therefore sees an error before its final write, and must not commit.
 * `what` names the blob in messages ("blob sha256:… from dir:/x").
 */
export class DigestVerifier extends Transform {
  readonly expectedDigest: string;
  readonly expectedSize: number;
  private readonly hash: Hash;
  private readonly what: string;
  bytes = 0;
  /** Called with the running byte count (progress bars). */
  onBytes: ((bytes: number) => void) | undefined;

  constructor(digest: string, size: number, what: string) {
    super();
    if (!isValidDigest(digest)) {
      throw new ImgsignError(
        'INVALID_MANIFEST',
        `${what}: "${digest}" is not a valid digest`,
      );
    }
    this.expectedDigest = digest;
    this.expectedSize = size;
    this.what = what;
    this.hash = createHash(digestAlgorithm(digest));
  }

  override _transform(
    chunk: Buffer,
    _encoding: BufferEncoding,
    callback: TransformCallback,
  ): void {
    this.bytes += chunk.length;
    if (this.expectedSize >= 0 && this.bytes > this.expectedSize) {
      callback(
        new ImgsignError(
          'DIGEST_MISMATCH',
          `${this.what}: more than the expected ${this.expectedSize} bytes`,
        ),
      );
      return;
    }
    this.hash.update(chunk);
    this.onBytes?.(this.bytes);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.expectedSize >= 0 && this.bytes !== this.expectedSize) {
      callback(
        new ImgsignError(
          'DIGEST_MISMATCH',
          `${this.what}: got ${this.bytes} bytes, expected ${this.expectedSize} (truncated)`,
        ),
      );
      return;
    }
    const actual = `${digestAlgorithm(this.expectedDigest)}:${this.hash.digest('hex')}`;
    if (actual !== this.expectedDigest) {
      callback(
        new ImgsignError(
          'DIGEST_MISMATCH',
          `${this.what}: content has digest ${actual}, expected ${this.expectedDigest}`,
        ),
      );
      return;
    }
    callback();
  }
}
