import { open } from 'node:fs/promises';
import { describeError, ImgsignError } from '../../errors.js';

const MAX_KEY_FILE = 1024 * 1024;

/**
 * Read a private key file that must not be readable or writable by group
 * or others (docker's rule). The mode is checked on the open descriptor,
 * so the file checked is the file read.
 */
export async function readOwnerOnlyFile(path: string): Promise<Buffer> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw new ImgsignError(
      'USAGE',
      `cannot read private key file ${path}: ${describeError(err)}`,
      { cause: err },
    );
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      throw new ImgsignError('USAGE', `${path} is not a regular file`);
    }
    if ((info.mode & 0o077) !== 0) {
      throw new ImgsignError(
        'KEY_INVALID',
        `refusing to load key from ${path}: it must not be readable or writable by group or others (run chmod 600 ${path})`,
      );
    }
    if (info.size > MAX_KEY_FILE) {
      throw new ImgsignError(
        'KEY_INVALID',
        `private key file ${path} is larger than ${MAX_KEY_FILE} bytes`,
      );
    }
    const buf = Buffer.alloc(MAX_KEY_FILE + 1);
    let total = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, total, buf.length - total);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > MAX_KEY_FILE) {
        throw new ImgsignError(
          'KEY_INVALID',
          `private key file ${path} is larger than ${MAX_KEY_FILE} bytes`,
        );
      }
    }
    return buf.subarray(0, total);
  } finally {
    await handle.close();
  }
}
