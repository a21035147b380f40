import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { ImgsignError } from '../../errors.js';
import {
  type BlobInfo,
  type ImageReference,
  transportString,
} from '../types.js';
import { streamToNewFile } from './fs-utils.js';

/**
 * A private directory where a file-based destination assembles an image
 * before commit(). It lives inside the destination directory when that
 * exists, else beside it (same file system, so commit() is a rename); a
 * destination that is never committed removes it and leaves nothing behind.
 */
export class Staging {
  readonly dir: string;
  /** The final directory. */
  readonly target: string;
  /** Whether `target` existed when staging began. */
  readonly targetExisted: boolean;
  private readonly names = new Set<string>();

  private constructor(dir: string, target: string, targetExisted: boolean) {
    this.dir = dir;
    this.target = target;
    this.targetExisted = targetExisted;
  }

  static async create(target: string): Promise<Staging> {
    let existed = false;
    try {
      const st = await stat(target);
      if (!st.isDirectory()) {
        throw new ImgsignError(
          'USAGE',
          `${target} exists and is not a directory`,
        );
      }
      existed = true;
    } catch (err) {
      if (err instanceof ImgsignError) throw err;
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (existed) {
      return new Staging(
        await mkdtemp(join(target, '.imgsign-staging-')),
        target,
        true,
      );
    }
    await mkdir(dirname(target), { recursive: true });
    const dir = await mkdtemp(
      join(dirname(target), `.${basename(target)}.imgsign-`),
    );
    return new Staging(dir, target, false);
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  has(name: string): boolean {
    return this.names.has(name);
  }

  /** Every file staged so far (final names). */
  staged(): string[] {
    return [...this.names];
  }

  /** Stream into `name`; it appears under that name only once complete. */
  async putStream(name: string, stream: Readable): Promise<number> {
    const tmp = this.path(`.tmp-${randomBytes(6).toString('hex')}`);
    await this.ensureParent(name);
    await streamToNewFile(stream, tmp);
    const size = (await stat(tmp)).size;
    await rename(tmp, this.path(name));
    this.names.add(name);
    return size;
  }

  /**
   * Stream a blob into the file `nameFor(info.digest)` names, failing with
   * DIGEST_MISMATCH when the byte count differs from `info.size` (-1 =
   * unknown). Messages name the image `ref`. Returns `info` with the size
   * written; a digest `nameFor` refuses is a rejection, not a throw.
   */
  async putBlob(
    stream: Readable,
    info: BlobInfo,
    nameFor: (digest: string) => string,
    ref: ImageReference,
  ): Promise<BlobInfo> {
    const name = nameFor(info.digest);
    const size = await this.putStream(name, stream);
    if (info.size >= 0 && size !== info.size) {
      throw new ImgsignError(
        'DIGEST_MISMATCH',
        `blob ${info.digest} for ${transportString(ref)}: wrote ${size} bytes, expected ${info.size}`,
      );
    }
    return { ...info, size };
  }

  async putFile(name: string, data: Buffer | string): Promise<void> {
    const tmp = this.path(`.tmp-${randomBytes(6).toString('hex')}`);
    await this.ensureParent(name);
    await writeFile(tmp, data, { mode: 0o644, flag: 'wx' });
    await rename(tmp, this.path(name));
    this.names.add(name);
  }

  private async ensureParent(name: string): Promise<void> {
    if (name.includes('/')) {
      await mkdir(dirname(this.path(name)), { recursive: true });
    }
  }

  async discard(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
