import { randomBytes } from 'node:crypto';
import { chmod, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { describeError, ImgsignError } from '../errors.js';

/** A fresh name beside `path` (same directory, so rename is atomic). */
export function tempNameBeside(path: string): string {
  return join(
    dirname(path),
    `.${basename(path)}.imgsign-${randomBytes(6).toString('hex')}`,
  );
}

export interface WriteFileAtomicOptions {
  /** File mode (default 0644), subject to the umask unless `exactMode`. */
  mode?: number;
  /** Set exactly `mode` whatever the umask (a file whose mode is kept, or a secret). */
  exactMode?: boolean;
}

/**
 * Write `data` to a temporary name beside `path`, then rename it over
 * `path`: readers see the old file or the new one, never a part. On any
 * failure the temporary file is removed and nothing else changes.
 */
export async function writeFileAtomic(
  path: string,
  data: Buffer | string,
  options: WriteFileAtomicOptions = {},
): Promise<void> {
  const mode = options.mode ?? 0o644;
  const tmp = tempNameBeside(path);
  try {
    await writeFile(tmp, data, { mode, flag: 'wx' });
    if (options.exactMode) await chmod(tmp, mode);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new ImgsignError(
      'INCONCLUSIVE',
      `cannot write ${path}: ${describeError(err)}`,
      { cause: err },
    );
  }
}
