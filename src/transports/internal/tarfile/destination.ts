import { rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { isValidDigest } from '../../../digest/digest.js';
import { ImgsignError } from '../../../errors.js';
import { MediaType } from '../../../manifest/media-types.js';
import {
  referenceName,
  type DockerReference,
} from '../../../reference/docker-reference.js';
import type {
  BlobInfo,
  ImageDestination,
  ImageReference,
  ManifestBlob,
  PutBlobOptions,
} from '../../types.js';
import { MAGIC_BYTES, peekStream } from './compression.js';
import { parseSchema2ForArchive } from './destination-util.js';
import {
  drainVerified,
  ingestConfig,
  ingestLayer,
  type IngestContext,
  type StoredBlob,
} from './ingest.js';
import { legacyLayers, writeLegacyLayers } from './legacy.js';
import {
  configDiffIDs,
  LEGACY_REPOSITORIES_FILE,
  TAR_MANIFEST_FILE,
  type TarManifestItem,
} from './types.js';
import type { TarStreamWriter } from './writer.js';

export interface TarfileDestinationOptions {
  reference: ImageReference;
  writer: TarStreamWriter;
  /** Tags recorded in manifest.json and `repositories` (name:tag references). */
  repoTags: DockerReference[];
  /** Store gzip layers decompressed (docker-archive, as c/image asks its copier to). */
  decompressLayers: boolean;
  /** Private directory for blobs that cannot be streamed straight into the tar. */
  spoolDir: string;
  /** After the tar is complete: make it visible (rename, or wait for the daemon). */
  publish: () => Promise<void>;
  /** Without a commit: discard whatever was produced. */
  discard: () => Promise<void>;
}

/**
 * An ImageDestination producing one image in docker save format (shared by
 * docker-archive and docker-daemon). Only Docker schema 2 manifests are
 * accepted; the copy pipeline converts others. Every blob is hashed on the
 * way in; any failure poisons the destination so commit() refuses.
 */
export class TarfileImageDestination implements ImageDestination {
  readonly reference: ImageReference;
  private readonly blobs = new Map<string, StoredBlob>();
  private readonly files = new Set<string>();
  private item: TarManifestItem | undefined;
  private topLayerID = '';
  private failure: Error | undefined;
  private committed = false;
  private closed = false;

  private readonly ingest: IngestContext;

  constructor(private readonly options: TarfileDestinationOptions) {
    this.reference = options.reference;
    this.ingest = {
      where: this.where,
      writer: options.writer,
      spoolDir: options.spoolDir,
      decompressLayers: options.decompressLayers,
      files: this.files,
    };
  }

  private get where(): string {
    return `${this.reference.transport.name}:${this.reference.stringWithinTransport()}`;
  }

  supportedManifestMediaTypes(): string[] {
    return [MediaType.dockerV2Schema2];
  }

  supportsSignatures(): Promise<boolean> {
    return Promise.resolve(false);
  }

  tryReusingBlob(info: BlobInfo): Promise<BlobInfo | undefined> {
    const blob = this.blobs.get(info.digest);
    return Promise.resolve(
      blob ? { ...info, digest: info.digest, size: blob.size } : undefined,
    );
  }

  async putBlob(
    stream: Readable,
    info: BlobInfo,
    options: PutBlobOptions = {},
  ): Promise<BlobInfo> {
    try {
      this.checkUsable();
      if (!isValidDigest(info.digest)) {
        throw new ImgsignError(
          'INVALID_MANIFEST',
          `${this.where}: invalid blob digest ${JSON.stringify(info.digest)}`,
        );
      }
      const known = this.blobs.get(info.digest);
      if (known) {
        await drainVerified(this.where, stream, info);
        return { ...info, size: known.size };
      }
      const peeked = await peekStream(stream, MAGIC_BYTES);
      const looksLikeJSON =
        peeked.head.toString('latin1').trimStart()[0] === '{';
      const stored =
        (options.isConfig ?? looksLikeJSON)
          ? await ingestConfig(this.ingest, peeked.stream, info)
          : await ingestLayer(this.ingest, peeked.stream, info, peeked.head);
      this.blobs.set(info.digest, stored);
      return { ...info, size: stored.size };
    } catch (err) {
      stream.destroy();
      this.failure ??= err as Error;
      throw err;
    }
  }

  async putManifest(
    manifest: ManifestBlob,
    instanceDigest?: string,
  ): Promise<void> {
    this.checkUsable();
    if (instanceDigest !== undefined) {
      throw new ImgsignError(
        'UNSUPPORTED',
        `${this.where}: docker archives hold one image, not manifest lists`,
      );
    }
    const parsed = parseSchema2ForArchive(this.where, manifest);
    const config = this.blobs.get(parsed.config.digest);
    if (!config?.config) {
      throw new ImgsignError(
        'INVALID_MANIFEST',
        `${this.where}: manifest config ${parsed.config.digest} was not stored as a config blob`,
      );
    }
    const diffIDs = configDiffIDs(`${this.where} config`, config.config);
    if (diffIDs.length !== parsed.layers.length) {
      throw new ImgsignError(
        'INVALID_MANIFEST',
        `${this.where}: manifest has ${parsed.layers.length} layers, config has ${diffIDs.length} diff_ids`,
      );
    }
    const layerFiles = parsed.layers.map((layer, i) => {
      const blob = this.blobs.get(layer.digest);
      if (!blob || blob.config) {
        throw new ImgsignError(
          'INVALID_MANIFEST',
          `${this.where}: manifest layer ${layer.digest} was not stored`,
        );
      }
      if (blob.diffID !== undefined && blob.diffID !== diffIDs[i]) {
        throw new ImgsignError(
          'DIGEST_MISMATCH',
          `${this.where}: layer ${layer.digest} decompresses to ${blob.diffID}, but the config says ${diffIDs[i]}`,
        );
      }
      return blob.file;
    });
    const configObject = JSON.parse(config.config.toString('utf8')) as Record<
      string,
      unknown
    >;
    const legacy = legacyLayers(diffIDs, layerFiles, configObject);
    await writeLegacyLayers(this.options.writer, this.files, legacy);
    this.topLayerID = legacy.at(-1)?.id ?? '';
    this.item = {
      Config: config.file,
      RepoTags: this.options.repoTags.map(
        (t) => `${referenceName(t)}:${t.tag ?? 'latest'}`,
      ),
      Layers: layerFiles,
    };
  }

  putSignatures(signatures: Buffer[]): Promise<void> {
    if (signatures.length === 0) return Promise.resolve();
    return Promise.reject(
      new ImgsignError(
        'UNSUPPORTED',
        `Can not copy signatures to ${this.where}: docker archives store no signatures (use --remove-signatures)`,
      ),
    );
  }

  async commit(): Promise<void> {
    this.checkUsable();
    const item = this.item;
    if (!item) {
      throw new ImgsignError(
        'USAGE',
        `${this.where}: commit without a manifest; nothing written`,
      );
    }
    const repositories: Record<string, Record<string, string>> = {};
    if (this.topLayerID !== '') {
      for (const t of this.options.repoTags) {
        (repositories[referenceName(t)] ??= {})[t.tag ?? 'latest'] =
          this.topLayerID;
      }
    }
    const { writer } = this.options;
    await writer.lock(async () => {
      await writer.writeBytes(
        TAR_MANIFEST_FILE,
        Buffer.from(JSON.stringify([item])),
      );
      await writer.writeBytes(
        LEGACY_REPOSITORIES_FILE,
        Buffer.from(JSON.stringify(repositories)),
      );
    });
    await writer.finish();
    await this.options.publish();
    this.committed = true;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.committed) {
      this.options.writer.abort(
        new Error(`${this.where}: closed without commit`),
      );
      await this.options.discard();
    }
    await rm(this.options.spoolDir, { recursive: true, force: true });
  }

  private checkUsable(): void {
    if (this.closed) {
      throw new ImgsignError(
        'USAGE',
        `${this.where}: destination already closed`,
      );
    }
    if (this.committed) {
      throw new ImgsignError(
        'USAGE',
        `${this.where}: destination already committed`,
      );
    }
    if (this.failure) {
      throw new ImgsignError(
        'INCONCLUSIVE',
        `${this.where}: an earlier blob failed (${this.failure.message}); nothing committed`,
      );
    }
  }
}
