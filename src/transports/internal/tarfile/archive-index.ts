import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import { ImgsignError } from '../../../errors.js';
import {
  cleanEntryName,
  resolveHardlinkTarget,
  resolveSymlinkTarget,
  unsafePath,
} from './entry-path.js';

/** Bound on entries held in memory for one archive (docker save writes a few per layer). */
export const MAX_ARCHIVE_ENTRIES = 100_000;
/** Read size for the index pass and for serving entries (fewer, larger chunks). */
const READ_CHUNK = 1024 * 1024;
/** Longest chain of links followed when opening an entry. */
const MAX_LINK_HOPS = 16;

export interface ArchiveEntry {
  /** Cleaned name (see cleanEntryName). */
  name: string;
  type: 'file' | 'symlink' | 'link' | 'directory' | 'other';
  size: number;
  /** Byte offset of the entry's data in the tar file. */
  offset: number;
  /** For links: the cleaned name of the entry linked to. */
  target?: string;
}

/**
 * Every entry of an uncompressed tar file, read in one streaming pass, so
 * components can later be served by offset without holding them in memory.
 * The tar file must not change while the index is in use (callers own it or
 * spool a private copy).
 */
export class ArchiveIndex {
  private constructor(
    /** The tar file on disk. */
    readonly path: string,
    /** How the archive is named in messages (the user's path, not a spool file). */
    readonly displayName: string,
    private readonly entries: Map<string, ArchiveEntry>,
  ) {}

  static async build(path: string, displayName = path): Promise<ArchiveIndex> {
    const entries = new Map<string, ArchiveEntry>();
    const extract = tar.extract();
    const fh = await open(path, 'r');
    try {
      const feeding = pipeline(
        createReadStream(path, { highWaterMark: READ_CHUNK }),
        extract,
      );
      feeding.catch(() => undefined); // surfaced through the iterator below
      for await (const entry of extract) {
        const record = await recordEntry(
          fh,
          displayName,
          entry as unknown as TarEntry,
          entries,
        );
        entries.set(record.name, record);
        if (entries.size > MAX_ARCHIVE_ENTRIES) {
          throw new ImgsignError(
            'INVALID_MANIFEST',
            `archive ${displayName}: more than ${MAX_ARCHIVE_ENTRIES} entries; not a docker save archive`,
          );
        }
      }
      await feeding;
    } catch (err) {
      if (err instanceof ImgsignError) throw err;
      throw new ImgsignError(
        'INVALID_MANIFEST',
        `archive ${displayName}: not a readable tar file: ${(err as Error).message}`,
        { cause: err },
      );
    } finally {
      await fh.close();
    }
    return new ArchiveIndex(path, displayName, entries);
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  /**
   * The regular file an (untrusted) component name refers to, following
   * symlinks and hard links inside the archive. Throws NOT_FOUND if absent.
   */
  resolve(untrustedName: string): ArchiveEntry {
    let name = cleanEntryName(this.displayName, untrustedName);
    for (let hop = 0; hop <= MAX_LINK_HOPS; hop++) {
      const entry = this.entries.get(name);
      if (!entry) {
        throw new ImgsignError(
          'NOT_FOUND',
          `archive ${this.displayName}: no entry ${JSON.stringify(untrustedName)}`,
        );
      }
      if (entry.type === 'file') return entry;
      if (entry.target === undefined) {
        throw new ImgsignError(
          'INVALID_MANIFEST',
          `archive ${this.displayName}: entry ${JSON.stringify(entry.name)} is not a regular file`,
        );
      }
      name = entry.target;
    }
    throw unsafePath(
      this.displayName,
      `too many links resolving ${JSON.stringify(untrustedName)}`,
    );
  }

  /** Stream an entry's data straight from the tar file. */
  open(entry: ArchiveEntry): Readable {
    if (entry.size === 0) return Readable.from([]);
    return createReadStream(this.path, {
      start: entry.offset,
      end: entry.offset + entry.size - 1,
      highWaterMark: READ_CHUNK,
    });
  }

  /** Read a small entry completely; refuses entries larger than `maxBytes`. */
  async read(untrustedName: string, maxBytes: number): Promise<Buffer> {
    const entry = this.resolve(untrustedName);
    if (entry.size > maxBytes) {
      throw new ImgsignError(
        'INVALID_MANIFEST',
        `archive ${this.displayName}: ${JSON.stringify(untrustedName)} is ${entry.size} bytes, over the ${maxBytes}-byte limit`,
      );
    }
    const fh = await open(this.path, 'r');
    try {
      const buf = Buffer.alloc(entry.size);
      const { bytesRead } = await fh.read(buf, 0, entry.size, entry.offset);
      if (bytesRead !== entry.size) {
        throw new ImgsignError(
          'INVALID_MANIFEST',
          `archive ${this.displayName}: ${JSON.stringify(untrustedName)} is truncated`,
        );
      }
      return buf;
    } finally {
      await fh.close();
    }
  }

  /** The first `n` bytes of an entry (fewer if it is shorter). */
  async head(entry: ArchiveEntry, n: number): Promise<Buffer> {
    const fh = await open(this.path, 'r');
    try {
      const buf = Buffer.alloc(Math.min(n, entry.size));
      const { bytesRead } = await fh.read(buf, 0, buf.length, entry.offset);
      return buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  }
}

/** tar-stream's entry stream: `offset` is where the entry's (last) 512-byte header starts. */
type TarEntry = AsyncIterable<Buffer> & { header: tar.Header; offset: number };
const TAR_BLOCK = 512;

async function recordEntry(
  fh: Awaited<ReturnType<typeof open>>,
  archive: string,
  entry: TarEntry,
  seen: Map<string, ArchiveEntry>,
): Promise<ArchiveEntry> {
  const header = entry.header;
  const name = cleanEntryName(archive, header.name);
  if (seen.has(name)) {
    throw unsafePath(archive, `duplicate entry ${JSON.stringify(name)}`);
  }
  const size = header.size;
  // Data follows the entry's header block (pax/GNU long-name records come
  // before that header). Checked against the file below, so a tar-stream
  // that reports offsets differently fails closed instead of serving
  // the wrong bytes.
  const offset = entry.offset + TAR_BLOCK;
  let first: Buffer | undefined;
  for await (const chunk of entry) {
    first ??= chunk.subarray(0, 64);
  }
  const record: ArchiveEntry = {
    name,
    type: entryType(header.type),
    size: dataSize(header.type, size),
    offset,
  };
  if (record.type === 'file' && record.size > 0) {
    const check = Buffer.alloc(first?.length ?? 0);
    await fh.read(check, 0, check.length, offset);
    if (first === undefined || !check.equals(first)) {
      throw new ImgsignError(
        'UNSUPPORTED',
        `archive ${archive}: cannot locate the data of ${JSON.stringify(name)} in the file (unexpected tar layout)`,
      );
    }
  }
  if (record.type === 'symlink') {
    record.target = resolveSymlinkTarget(archive, name, header.linkname);
  } else if (record.type === 'link') {
    record.target = resolveHardlinkTarget(archive, name, header.linkname);
    if (!seen.has(record.target)) {
      throw unsafePath(
        archive,
        `hard link ${JSON.stringify(name)} names ${JSON.stringify(record.target)}, which is not an earlier entry`,
      );
    }
  }
  return record;
}

function dataSize(type: tar.Header['type'], size: number): number {
  return type === 'file' || type === 'contiguous-file' ? size : 0;
}

function entryType(type: tar.Header['type']): ArchiveEntry['type'] {
  switch (type) {
    case 'file':
    case 'contiguous-file':
      return 'file';
    case 'symlink':
      return 'symlink';
    case 'link':
      return 'link';
    case 'directory':
      return 'directory';
    default:
      return 'other';
  }
}
