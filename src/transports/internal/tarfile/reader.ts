import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { ImgsignError } from '../../../errors.js';
import {
  parseNormalizedNamed,
  referenceString,
  type DockerReference,
} from '../../../reference/docker-reference.js';
import { ArchiveIndex } from './archive-index.js';
import { detectCompression, MAGIC_BYTES, peekStream } from './compression.js';
import {
  MAX_TAR_MANIFEST_BYTES,
  parseTarManifest,
  TAR_MANIFEST_FILE,
  type TarManifestItem,
} from './types.js';

export interface ReaderOptions {
  /** Directory for spooled copies of streams and compressed archives (default: the OS temp dir). */
  tmpDir?: string;
}

/**
 * A docker-save tarball (`manifest.json` + config and layer files), indexed
 * once and then read by offset. Compressed archives and non-seekable streams
 * (the daemon's `GET /images/{name}/get`) are first spooled, decompressed,
 * to a private temporary file that close() removes.
 */
export class DockerArchiveReader {
  private constructor(
    readonly index: ArchiveIndex,
    readonly items: TarManifestItem[],
    private readonly spoolDir: string | undefined,
  ) {}

  static async fromFile(
    path: string,
    options: ReaderOptions = {},
  ): Promise<DockerArchiveReader> {
    let head: Buffer;
    try {
      const peeked = await peekStream(createReadStream(path), MAGIC_BYTES);
      peeked.stream.destroy();
      head = peeked.head;
    } catch (err) {
      throw new ImgsignError(
        (err as NodeJS.ErrnoException).code === 'ENOENT'
          ? 'NOT_FOUND'
          : 'INCONCLUSIVE',
        `opening docker archive ${path}: ${(err as Error).message}`,
        { cause: err },
      );
    }
    if (detectCompression(head) === 'none') {
      return DockerArchiveReader.fromIndex(await ArchiveIndex.build(path));
    }
    return DockerArchiveReader.fromStream(
      createReadStream(path),
      path,
      options,
    );
  }

  /** Spool `stream` (possibly gzip-compressed) to a private temporary file and index it. */
  static async fromStream(
    stream: Readable,
    displayName: string,
    options: ReaderOptions = {},
  ): Promise<DockerArchiveReader> {
    const dir = await mkdtemp(
      join(options.tmpDir ?? tmpdir(), 'imgsign-docker-tar-'),
    );
    try {
      const file = join(dir, 'archive.tar');
      const peeked = await peekStream(stream, MAGIC_BYTES);
      const compression = detectCompression(peeked.head);
      const out = createWriteStream(file, { mode: 0o600 });
      if (compression === 'gzip') {
        await pipeline(peeked.stream, createGunzip(), out);
      } else if (compression === 'none') {
        await pipeline(peeked.stream, out);
      } else {
        peeked.stream.destroy();
        throw new ImgsignError(
          'UNSUPPORTED',
          `docker archive ${displayName} is ${compression}-compressed; only gzip is supported`,
        );
      }
      return await DockerArchiveReader.fromIndex(
        await ArchiveIndex.build(file, displayName),
        dir,
      );
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      if (err instanceof ImgsignError) throw err;
      throw new ImgsignError(
        'INCONCLUSIVE',
        `reading docker archive ${displayName}: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }

  private static async fromIndex(
    index: ArchiveIndex,
    spoolDir?: string,
  ): Promise<DockerArchiveReader> {
    if (!index.has(TAR_MANIFEST_FILE)) {
      throw new ImgsignError(
        'INVALID_MANIFEST',
        `archive ${index.displayName}: no manifest.json (not a docker save archive, or the legacy format, which is not supported)`,
      );
    }
    const bytes = await index.read(TAR_MANIFEST_FILE, MAX_TAR_MANIFEST_BYTES);
    const items = parseTarManifest(index.displayName, bytes);
    return new DockerArchiveReader(index, items, spoolDir);
  }

  /**
   * The image selected by a tag (matched after normalisation, like docker),
   * by `@N` source index, or the only image when neither is given.
   */
  chooseItem(ref?: DockerReference, sourceIndex?: number): TarManifestItem {
    const where = `archive ${this.index.displayName}`;
    if (ref !== undefined) {
      const wanted = referenceString(ref);
      for (const [i, item] of this.items.entries()) {
        for (const tag of item.RepoTags) {
          let parsed: DockerReference;
          try {
            parsed = parseNormalizedNamed(tag);
          } catch (err) {
            throw (err as ImgsignError).withContext(
              `${where}: RepoTags of item @${i}`,
            );
          }
          if (referenceString(parsed) === wanted) return item;
        }
      }
      throw new ImgsignError(
        'NOT_FOUND',
        `${where}: no image tagged ${wanted}`,
      );
    }
    if (sourceIndex !== undefined) {
      const item = this.items[sourceIndex];
      if (!item) {
        throw new ImgsignError(
          'NOT_FOUND',
          `${where}: no image @${sourceIndex} (it has ${this.items.length})`,
        );
      }
      return item;
    }
    const only = this.items.length === 1 ? this.items[0] : undefined;
    if (!only) {
      throw new ImgsignError(
        'USAGE',
        `${where} holds ${this.items.length} images: name one with :NAME:TAG or :@INDEX`,
      );
    }
    return only;
  }

  async close(): Promise<void> {
    if (this.spoolDir !== undefined) {
      await rm(this.spoolDir, { recursive: true, force: true });
    }
  }
}
