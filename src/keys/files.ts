import { open } from 'node:fs/promises';
import { ImgsignError, InvalidSignatureError } from '../errors.js';

/**
 * File helpers for keys and signatures: bounded reads of untrusted files
 * (a 100 MB "signature" is refused after reading `limit + 1` bytes) and
 * atomic writes (temp file in the same directory, then rename).
 */

/** Read at most `limit` bytes of `path`; larger files are an error naming `what`. */
export async function readBoundedFile(
  path: string,
  limit: number,
  what: string,
  kind: 'signature' | 'input' = 'input',
): Promise<Buffer> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new ImgsignError(
      'USAGE',
      `cannot read ${what} ${path}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`,
      { cause: err },
    );
  }
  try {
    const buf = Buffer.alloc(limit + 1);
    let total = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, total, buf.length - total);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > limit) {
        const message = `${what} ${path} is larger than ${limit} bytes; refusing to read it`;
        throw kind === 'signature'
          ? new InvalidSignatureError(message)
          : new ImgsignError('USAGE', message);
      }
    }
    return buf.subarray(0, total);
  } catch (err) {
    if (err instanceof ImgsignError) throw err;
    throw new ImgsignError(
      'USAGE',
      `cannot read ${what} ${path}: ${(err as Error).message}`,
      { cause: err },
    );
  } finally {
    await handle.close();
  }
}

export { writeFileAtomic } from '../internal/atomic-file.js';
