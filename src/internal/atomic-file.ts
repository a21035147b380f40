import { randomBytes } from 'node:crypto';
import { chmodSync, renameSync, rmSync, writeFileSync } from 'node:fs';
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
 * Synchronous inside: the data is small (signatures, keys, configuration)
 * and node:fs/promises costs every signing run ~2 ms to load (issue 2).
 */
// eslint-disable-next-line @typescript-eslint/require-await -- failures stay rejections
export async function writeFileAtomic(
  path: string,
  data: Buffer | string,
  options: WriteFileAtomicOptions = {},
): Promise<void> {
  const mode = options.mode ?? 0o644;
  const tmp = tempNameBeside(path);
  try {
    writeFileSync(tmp, data, { mode, flag: 'wx' });
    if (options.exactMode) chmodSync(tmp, mode);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new ImgsignError(
      'INCONCLUSIVE',
      `cannot write ${path}: ${describeError(err)}`,
      { cause: err },
    );
  }
}
