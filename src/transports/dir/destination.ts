import { readdir, rename, rm, rmdir } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { ImgsignError } from '../../errors.js';
import { transportString } from '../types.js';
import type {
  BlobInfo,
  ImageDestination,
  ManifestBlob,
  PutBlobOptions,
} from '../types.js';
import { readFileCapped } from '../internal/fs-utils.js';
import { Staging } from '../internal/staging.js';
import {
  DIR_VERSION,
  VERSION_FILE,
  blobFile,
  inDir,
  isImageFileName,
  manifestFile,
  signatureFile,
} from './paths.js';
import type { DirReference } from './transport.js';

/**
 * Writes a `dir:` image. Everything goes to a staging directory first;
 * commit() replaces an existing image's files (only a directory that is
 * empty or already a dir: image is accepted) with the staged ones, manifest
 * and version last.
 */
export class DirImageDestination implements ImageDestination {
  readonly reference: DirReference;
  private readonly staging: Staging;
  private committed = false;

  private constructor(ref: DirReference, staging: Staging) {
    this.reference = ref;
    this.staging = staging;
  }

  static async open(ref: DirReference): Promise<DirImageDestination> {
    const dir = ref.path;
    let entries: string[] | undefined;
    try {
      entries = await readdir(dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') {
        throw new ImgsignError(
          'USAGE',
          `cannot write dir:${dir}: ${code === 'ENOTDIR' ? 'not a directory' : (err as Error).message}`,
        );
      }
    }
    const visible = (entries ?? []).filter(
      (e) => !e.startsWith('.imgsign-staging-'),
    );
    if (visible.length > 0) {
      const version = await readFileCapped(
        inDir(dir, VERSION_FILE),
        1024,
        'dir: version file',
      );
      if (version?.toString('utf8') !== DIR_VERSION) {
        throw new ImgsignError(
          'USAGE',
          `refusing to overwrite ${dir}: it is not empty and not a dir: image (no "${VERSION_FILE}" file with "${DIR_VERSION.trim()}")`,
        );
      }
    }
    return new DirImageDestination(ref, await Staging.create(dir));
  }

  supportedManifestMediaTypes(): string[] | undefined {
    return undefined;
  }

  supportsSignatures(): Promise<boolean> {
    return Promise.resolve(true);
  }

  tryReusingBlob(info: BlobInfo): Promise<BlobInfo | undefined> {
    const name = blobFile(info.digest);
    return Promise.resolve(this.staging.has(name) ? { ...info } : undefined);
  }

  putBlob(
    stream: Readable,
    info: BlobInfo,
    _options?: PutBlobOptions,
  ): Promise<BlobInfo> {
    return this.staging.putBlob(stream, info, blobFile, this.reference);
  }

  async putManifest(
    manifest: ManifestBlob,
    instanceDigest?: string,
  ): Promise<void> {
    await this.staging.putFile(manifestFile(instanceDigest), manifest.bytes);
  }

  async putSignatures(
    signatures: Buffer[],
    instanceDigest?: string,
  ): Promise<void> {
    for (const [i, sig] of signatures.entries()) {
      await this.staging.putFile(signatureFile(i + 1, instanceDigest), sig);
    }
  }

  async commit(): Promise<void> {
    if (!this.staging.staged().includes(manifestFile())) {
      throw new ImgsignError(
        'USAGE',
        `internal: commit of ${transportString(this.reference)} without a manifest`,
      );
    }
    await this.staging.putFile(VERSION_FILE, DIR_VERSION);
    const target = this.staging.target;
    if (!this.staging.targetExisted) {
      await rename(this.staging.dir, target);
      this.committed = true;
      return;
    }
    // Replace the previous image: drop its files, move ours in, manifest and version last.
    for (const name of await readdir(target)) {
      if (isImageFileName(name)) await rm(inDir(target, name), { force: true });
    }
    const last = [manifestFile(), VERSION_FILE];
    const staged = this.staging.staged();
    const order = [...staged.filter((n) => !last.includes(n)), ...last];
    for (const name of order)
      await rename(this.staging.path(name), inDir(target, name));
    await rmdir(this.staging.dir);
    this.committed = true;
  }

  async close(): Promise<void> {
    if (!this.committed) await this.staging.discard();
  }
}
