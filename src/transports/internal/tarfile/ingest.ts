import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ImgsignError } from '../../../errors.js';
import type { BlobInfo } from '../../types.js';
import { detectCompression } from './compression.js';
import { readCapped } from './destination-util.js';
import {
  checkBlob,
  digestAlgorithm,
  digestHex,
  HashingStream,
  spoolBlob,
} from './hashing.js';
import { MAX_CONFIG_BYTES } from './types.js';
import type { TarStreamWriter } from './writer.js';

/** How the tar destination takes in blobs (shared state lives in the destination). */
export interface IngestContext {
  where: string;
  writer: TarStreamWriter;
  spoolDir: string;
  decompressLayers: boolean;
  /** Entry names already in the tar. */
  files: Set<string>;
}

export interface StoredBlob {
  /** Entry name in the tar. */
  file: string;
  /** Size of the blob as received. */
  size: number;
  /** sha256 of the layer tar as stored uncompressed; undefined if stored compressed. */
  diffID?: string;
  /** The bytes, for a config. */
  config?: Buffer;
}

/** A config: small, read into memory (capped), verified, stored as `<hex>.json`. */
export async function ingestConfig(
  ctx: IngestContext,
  stream: Readable,
  info: BlobInfo,
): Promise<StoredBlob> {
  const bytes = await readCapped(stream, MAX_CONFIG_BYTES, ctx.where);
  const algorithm = digestAlgorithm(info.digest);
  const actual = `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
  checkBlob(ctx.where, info, { digest: actual, size: bytes.length });
  const file = `${digestHex(info.digest)}.json`;
  await writeOnce(ctx, file, () => ctx.writer.writeBytes(file, bytes));
  return { file, size: bytes.length, config: bytes };
}

/**
 * A layer: streamed straight into the tar when its size is known, it needs
 * no decompression and nothing else is being written; otherwise spooled to
 * a private file first (so parallel copies never wait on each other).
 * Either way the digest is checked before the blob counts as stored.
 */
export async function ingestLayer(
  ctx: IngestContext,
  stream: Readable,
  info: BlobInfo,
  head: Buffer,
): Promise<StoredBlob> {
  const compression = detectCompression(head);
  if (compression !== 'none' && compression !== 'gzip') {
    throw new ImgsignError(
      'UNSUPPORTED',
      `${ctx.where}: layer ${info.digest} is ${compression}-compressed; docker archives take plain or gzip layers`,
    );
  }
  const gunzip = compression === 'gzip' && ctx.decompressLayers;
  const algorithm = digestAlgorithm(info.digest);
  const { writer } = ctx;
  if (!gunzip && info.size >= 0 && writer.isIdle()) {
    const file = `${digestHex(info.digest)}.tar`;
    const hash = new HashingStream(algorithm);
    const written = await writeOnce(ctx, file, async () => {
      pipeline(stream, hash).catch(() => undefined); // errors end `hash` too
      await writer.writeStream(file, info.size, hash);
      checkBlob(ctx.where, info, { digest: hash.digest(), size: hash.bytes });
    });
    // A concurrent putBlob of the same digest stored it first.
    if (!written) await drainVerified(ctx.where, stream, info);
    return {
      file,
      size: info.size,
      ...(compression === 'none' ? { diffID: info.digest } : {}),
    };
  }
  const spool = join(ctx.spoolDir, randomBytes(8).toString('hex'));
  try {
    const result = await spoolBlob(stream, algorithm, spool, gunzip);
    checkBlob(ctx.where, info, result.raw);
    const file = `${digestHex(result.stored.digest)}.tar`;
    await writeOnce(ctx, file, () =>
      writer.writeStream(file, result.stored.size, createReadStream(spool)),
    );
    const diffID =
      compression === 'none' || gunzip ? result.stored.digest : undefined;
    return {
      file,
      size: result.raw.size,
      ...(diffID !== undefined ? { diffID } : {}),
    };
  } finally {
    await rm(spool, { force: true });
  }
}

/** Write `file` unless it is already in the tar; true if written now. */
export async function writeOnce(
  ctx: IngestContext,
  file: string,
  write: () => Promise<void>,
): Promise<boolean> {
  return ctx.writer.lock(async () => {
    if (ctx.files.has(file)) return false;
    await write();
    ctx.files.add(file);
    return true;
  });
}

/**
 * Read a blob we already have to its end, still checking its digest: the
 * caller's pipeline treats a stream not read to its end as a failure.
 */
export async function drainVerified(
  where: string,
  stream: Readable,
  info: BlobInfo,
): Promise<void> {
  const hash = new HashingStream(digestAlgorithm(info.digest));
  await pipeline(stream, hash, async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) void chunk;
  });
  checkBlob(where, info, { digest: hash.digest(), size: hash.bytes });
}
