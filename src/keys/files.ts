import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { ImgsignError, InvalidSignatureError } from '../errors.js';

/**
 * File helpers for keys and signatures: bounded reads of untrusted files
 * (a 100 MB "signature" is refused after reading `limit + 1` bytes) and
 * atomic writes (temp file in the same directory, then rename).
 *
 * The reads are synchronous: these files are small and read once, and
 * node:fs/promises costs every sign and verify ~2 ms just to load (issue 2).
 */

/**
 * Read at most `limit` bytes of `path`; larger files are an error naming
 * `what`. Async although the reads are not: failures stay rejections.
 */
// eslint-disable-next-line @typescript-eslint/require-await
export async function readBoundedFile(
  path: string,
  limit: number,
  what: string,
  kind: 'signature' | 'input' = 'input',
): Promise<Buffer> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new ImgsignError(
      'USAGE',
      `cannot read ${what} ${path}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`,
      { cause: err },
    );
  }
  try {
    return readAtMost(fd, limit, () => {
      const message = `${what} ${path} is larger than ${limit} bytes; refusing to read it`;
      return kind === 'signature'
        ? new InvalidSignatureError(message)
        : new ImgsignError('USAGE', message);
    });
  } catch (err) {
    if (err instanceof ImgsignError) throw err;
    throw new ImgsignError(
      'USAGE',
      `cannot read ${what} ${path}: ${(err as Error).message}`,
      { cause: err },
    );
  } finally {
    closeSync(fd);
  }
}

/**
 * Everything `fd` holds, up to `limit` bytes. The buffer starts at the
 * file's size (a pipe or a /proc file reports 0, or a size that changes) and
 * grows as needed, so a small file never costs a `limit`-sized allocation.
 */
function readAtMost(fd: number, limit: number, tooLarge: () => Error): Buffer {
  const size = fstatSync(fd).size;
  let buf = Buffer.allocUnsafeSlow(
    Math.min(size > 0 ? size : 64 * 1024, limit) + 1,
  );
  let total = 0;
  for (;;) {
    if (total === buf.length) {
      const grown = Buffer.allocUnsafeSlow(Math.min(buf.length * 2, limit + 1));
      buf.copy(grown, 0, 0, total);
      buf = grown;
    }
    const bytesRead = readSync(fd, buf, total, buf.length - total, null);
    if (bytesRead === 0) break;
    total += bytesRead;
    if (total > limit) throw tooLarge();
  }
  return buf.subarray(0, total);
}

export { writeFileAtomic } from '../internal/atomic-file.js';
