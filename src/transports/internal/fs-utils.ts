import { createReadStream, createWriteStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ImgsignError } from '../../errors.js';

export { tempNameBeside, writeFileAtomic } from '../../internal/atomic-file.js';

/** Stream into a new file at `path` (created exclusively); removed again on failure. */
export async function streamToNewFile(
  stream: Readable,
  path: string,
): Promise<void> {
  try {
    await pipeline(
      stream,
      createWriteStream(path, { flags: 'wx', mode: 0o644 }),
    );
  } catch (err) {
    await rm(path, { force: true });
    throw err;
  }
}

function errnoCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

export function isNotFound(err: unknown): boolean {
  return errnoCode(err) === 'ENOENT';
}

/**
 * Read a whole small file, refusing more than `max` bytes. Returns undefined
 * only when the file does not exist; a directory, a symlink loop or any other
 * I/O error throws (SPEC §8: "directory or symlink loop → error, not missing").
 */
export async function readFileCapped(
  path: string,
  max: number,
  what: string,
): Promise<Buffer | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw new ImgsignError(
      'INCONCLUSIVE',
      `reading ${what} ${path}: ${errnoCode(err) ?? String(err)}`,
      { cause: err },
    );
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) {
      throw new ImgsignError(
        'INCONCLUSIVE',
        `reading ${what} ${path}: not a regular file`,
      );
    }
    if (st.size > max) {
      throw new ImgsignError(
        'INVALID_MANIFEST',
        `${what} ${path} is ${st.size} bytes, over the ${max}-byte limit`,
      );
    }
    const buf = Buffer.alloc(st.size);
    let off = 0;
    while (off < st.size) {
      const { bytesRead } = await handle.read(buf, off, st.size - off, off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    return buf.subarray(0, off);
  } catch (err) {
    if (err instanceof ImgsignError) throw err;
    throw new ImgsignError(
      'INCONCLUSIVE',
      `reading ${what} ${path}: ${errnoCode(err) ?? String(err)}`,
      { cause: err },
    );
  } finally {
    await handle.close();
  }
}

/**
 * Open a stored blob of a file-based source for streaming: NOT_FOUND when it
 * is missing, and an error (never a stream) when it is not a regular file.
 * `where` names the image for messages.
 */
export async function openBlobFile(
  path: string,
  digest: string,
  where: string,
): Promise<{ stream: Readable; size: number }> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw new ImgsignError(
      isNotFound(err) ? 'NOT_FOUND' : 'INCONCLUSIVE',
      `reading blob ${digest} from ${where}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  const st = await handle.stat();
  if (!st.isFile()) {
    await handle.close();
    throw new ImgsignError(
      'INCONCLUSIVE',
      `blob ${digest} in ${where} is not a regular file`,
    );
  }
  return { stream: createReadStream('', { fd: handle }), size: st.size };
}
