import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { sha256Digest } from '../../../digest/digest.js';
import { ImgsignError } from '../../../errors.js';
import { MediaType } from '../../../manifest/media-types.js';
import type { DockerReference } from '../../../reference/docker-reference.js';
import type {
  BlobInfo,
  ImageReference,
  ImageSource,
  ManifestBlob,
} from '../../types.js';
import type { ArchiveEntry } from './archive-index.js';
import { detectCompression, MAGIC_BYTES } from './compression.js';
import type { DockerArchiveReader } from './reader.js';
import {
  configDiffIDs,
  MAX_CONFIG_BYTES,
  type Schema2Manifest,
} from './types.js';

interface LayerFile {
  entry: ArchiveEntry;
  gzip: boolean;
  /** Size of the uncompressed tar (what getBlob serves). */
  size: number;
}

export interface TarfileSourceOptions {
  reference: ImageReference;
  reader: DockerArchiveReader;
  /** Close the reader with the source. */
  ownsReader: boolean;
  /** Select by tag, or by `@N` index; neither = the only image. */
  tag?: DockerReference;
  sourceIndex?: number;
}

/**
 * One image of a docker-save archive as an ImageSource. Archives hold no
 * registry manifest, so a v2s2 manifest is synthesised as c/image does:
 * the config as stored, and each layer named by its DiffID (the digest of
 * the uncompressed tar) with its uncompressed size. Unlike c/image, layers
 * get the uncompressed media type, because that is what getBlob serves
 * (compressed layer files are decompressed on the way out).
 */
export class TarfileImageSource implements ImageSource {
  private constructor(
    readonly reference: ImageReference,
    private readonly reader: DockerArchiveReader,
    private readonly ownsReader: boolean,
    private readonly configBytes: Buffer,
    private readonly configDigest: string,
    private readonly layers: Map<string, LayerFile>,
    private readonly manifestBytes: Buffer,
  ) {}

  static async create(
    options: TarfileSourceOptions,
  ): Promise<TarfileImageSource> {
    const { reader } = options;
    const where = `archive ${reader.index.displayName}`;
    const item = reader.chooseItem(options.tag, options.sourceIndex);
    const configBytes = await reader.index.read(item.Config, MAX_CONFIG_BYTES);
    const diffIDs = configDiffIDs(`${where} ${item.Config}`, configBytes);
    if (diffIDs.length !== item.Layers.length) {
      throw new ImgsignError(
        'INVALID_MANIFEST',
        `${where}: manifest.json lists ${item.Layers.length} layers but the config has ${diffIDs.length} diff_ids`,
      );
    }
    const layers = new Map<string, LayerFile>();
    const usedBy = new Map<string, string>();
    for (const [i, diffID] of diffIDs.entries()) {
      if (layers.has(diffID)) continue; // the same layer twice: docker save links the copies
      const entry = reader.index.resolve(item.Layers[i] ?? '');
      const other = usedBy.get(entry.name);
      if (other !== undefined && other !== diffID) {
        throw new ImgsignError(
          'INVALID_MANIFEST',
          `${where}: layer file ${entry.name} is listed for two different diff_ids`,
        );
      }
      usedBy.set(entry.name, diffID);
      layers.set(diffID, await describeLayer(reader, entry));
    }
    const configDigest = sha256Digest(configBytes);
    const manifest: Schema2Manifest = {
      schemaVersion: 2,
      mediaType: MediaType.dockerV2Schema2,
      config: {
        mediaType: MediaType.dockerV2Config,
        size: configBytes.length,
        digest: configDigest,
      },
      layers: diffIDs.map((digest) => ({
        mediaType: MediaType.dockerV2LayerUncompressed,
        size: layers.get(digest)?.size ?? -1,
        digest,
      })),
    };
    return new TarfileImageSource(
      options.reference,
      reader,
      options.ownsReader,
      configBytes,
      configDigest,
      layers,
      Buffer.from(JSON.stringify(manifest)),
    );
  }

  getManifest(instanceDigest?: string): Promise<ManifestBlob> {
    if (instanceDigest !== undefined) {
      return Promise.reject(
        new ImgsignError(
          'UNSUPPORTED',
          `${this.reference.transport.name}: images hold no manifest lists (asked for instance ${instanceDigest})`,
        ),
      );
    }
    return Promise.resolve({
      bytes: this.manifestBytes,
      mediaType: MediaType.dockerV2Schema2,
    });
  }

  getBlob(info: BlobInfo): Promise<{ stream: Readable; size: number }> {
    if (info.digest === this.configDigest) {
      return Promise.resolve({
        stream: Readable.from([this.configBytes]),
        size: this.configBytes.length,
      });
    }
    const layer = this.layers.get(info.digest);
    if (!layer) {
      return Promise.reject(
        new ImgsignError(
          'NOT_FOUND',
          `archive ${this.reader.index.displayName}: no blob ${info.digest} in this image`,
        ),
      );
    }
    const raw = this.reader.index.open(layer.entry);
    const stream = layer.gzip ? raw.pipe(createGunzip()) : raw;
    if (layer.gzip) raw.on('error', (err) => stream.destroy(err));
    return Promise.resolve({ stream, size: layer.size });
  }

  getSignatures(): Promise<Buffer[]> {
    return Promise.resolve([]);
  }

  async close(): Promise<void> {
    if (this.ownsReader) await this.reader.close();
  }
}

async function describeLayer(
  reader: DockerArchiveReader,
  entry: ArchiveEntry,
): Promise<LayerFile> {
  const compression = detectCompression(
    await reader.index.head(entry, MAGIC_BYTES),
  );
  if (compression === 'none') {
    return { entry, gzip: false, size: entry.size };
  }
  if (compression !== 'gzip') {
    throw new ImgsignError(
      'UNSUPPORTED',
      `archive ${reader.index.displayName}: layer ${entry.name} is ${compression}-compressed; only gzip is supported`,
    );
  }
  // The manifest must state the size of what getBlob serves: count it.
  let size = 0;
  try {
    await pipeline(
      reader.index.open(entry),
      createGunzip(),
      new Writable({
        write(chunk: Buffer, _enc, cb) {
          size += chunk.length;
          cb();
        },
      }),
    );
  } catch (err) {
    throw new ImgsignError(
      'INVALID_MANIFEST',
      `archive ${reader.index.displayName}: layer ${entry.name} is not valid gzip: ${(err as Error).message}`,
      { cause: err },
    );
  }
  return { entry, gzip: true, size };
}
