import { Readable } from 'node:stream';

/** Compression formats recognised by their magic bytes (as c/image `pkg/compression` detects them). */
export type Compression = 'gzip' | 'zstd' | 'bzip2' | 'xz' | 'none';

/** Bytes needed to recognise any format below. */
export const MAGIC_BYTES = 6;

export function detectCompression(head: Uint8Array): Compression {
  const starts = (...magic: number[]): boolean =>
    head.length >= magic.length && magic.every((b, i) => head[i] === b);
  if (starts(0x1f, 0x8b, 0x08)) return 'gzip';
  if (starts(0x28, 0xb5, 0x2f, 0xfd)) return 'zstd';
  if (starts(0x42, 0x5a, 0x68)) return 'bzip2';
  if (starts(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00)) return 'xz';
  return 'none';
}

/**
 * Read the first `n` bytes of `stream` (fewer if it is shorter) and return
 * them with a stream that yields the whole content again. Destroying the
 * returned stream destroys the original.
 */
export async function peekStream(
  stream: Readable,
  n: number,
): Promise<{ head: Buffer; stream: Readable }> {
  const it = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const chunks: Buffer[] = [];
  let length = 0;
  let done = false;
  while (length < n) {
    const r = await it.next();
    if (r.done === true) {
      done = true;
      break;
    }
    const chunk = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
    chunks.push(chunk);
    length += chunk.length;
  }
  const head = Buffer.concat(chunks).subarray(0, n);
  async function* replay(): AsyncGenerator<Buffer> {
    try {
      yield* chunks;
      while (!done) {
        const r = await it.next();
        if (r.done === true) break;
        yield r.value;
      }
      done = true;
    } finally {
      if (!done) await it.return?.();
    }
  }
  return { head, stream: Readable.from(replay(), { objectMode: false }) };
}
