import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { ImgsignError } from '../../errors.js';
import { manifestDigest } from '../../manifest/digest.js';
import { guessManifestMediaType } from '../../manifest/guess.js';
import { MediaType } from '../../manifest/media-types.js';
import { writeFileAtomic } from '../internal/fs-utils.js';
import { pathExists } from '../internal/paths.js';
import { Staging } from '../internal/staging.js';
import type {
  BlobInfo,
  ImageDestination,
  ImageReference,
  ManifestBlob,
  PutBlobOptions,
} from '../types.js';
import { transportString } from '../types.js';
import {
  OCI_INDEX_FILE,
  OCI_LAYOUT_CONTENT,
  OCI_LAYOUT_FILE,
  REF_NAME_ANNOTATION,
  blobRelPath,
  readIndex,
} from './layout.js';
import type { IndexDescriptor, OciIndexFile } from './layout.js';

/**
 * Writes one image into an OCI layout at `layoutDir` under ref name `image`
 * ('' = unnamed). Blobs and manifests are staged; commit() moves them into
 * blobs/ and then replaces index.json atomically, re-reading it first so
 * other images in the layout are kept. An entry with the same ref name loses
 * that name (containers/image behaviour).
 */
export class OciImageDestination implements ImageDestination {
  readonly reference: ImageReference;
  private readonly layoutDir: string;
  private readonly image: string;
  private readonly staging: Staging;
  private top: IndexDescriptor | undefined;
  private committed = false;

  private constructor(
    ref: ImageReference,
    layoutDir: string,
    image: string,
    staging: Staging,
  ) {
    this.reference = ref;
    this.layoutDir = layoutDir;
    this.image = image;
    this.staging = staging;
  }

  static async open(
    ref: ImageReference,
    layoutDir: string,
    image: string,
  ): Promise<OciImageDestination> {
    if (await pathExists(layoutDir)) {
      // Fail early on a broken index rather than after copying every blob.
      await readIndex(layoutDir);
    }
    return new OciImageDestination(
      ref,
      layoutDir,
      image,
      await Staging.create(layoutDir),
    );
  }

  supportedManifestMediaTypes(): string[] | undefined {
    return [MediaType.ociManifest, MediaType.ociIndex];
  }

  supportsSignatures(): Promise<boolean> {
    return Promise.resolve(false);
  }

  async tryReusingBlob(info: BlobInfo): Promise<BlobInfo | undefined> {
    const rel = blobRelPath(info.digest);
    if (this.staging.has(rel)) return { ...info };
    // Content-addressed: a blob already in the layout is the blob (the name is its digest).
    if (
      this.staging.targetExisted &&
      (await pathExists(join(this.layoutDir, rel)))
    ) {
      return { ...info };
    }
    return undefined;
  }

  putBlob(
    stream: Readable,
    info: BlobInfo,
    _options?: PutBlobOptions,
  ): Promise<BlobInfo> {
    return this.staging.putBlob(stream, info, blobRelPath, this.reference);
  }

  async putManifest(
    manifest: ManifestBlob,
    instanceDigest?: string,
  ): Promise<void> {
    const digest = instanceDigest ?? manifestDigest(manifest.bytes);
    await this.staging.putFile(blobRelPath(digest), manifest.bytes);
    if (instanceDigest !== undefined) return;
    const d: IndexDescriptor = {
      mediaType: manifest.mediaType || guessManifestMediaType(manifest.bytes),
      digest,
      size: manifest.bytes.length,
    };
    if (this.image !== '')
      d.annotations = { [REF_NAME_ANNOTATION]: this.image };
    this.top = d;
  }

  putSignatures(signatures: Buffer[], _instanceDigest?: string): Promise<void> {
    if (signatures.length === 0) return Promise.resolve();
    return Promise.reject(
      new ImgsignError(
        'UNSUPPORTED',
        `Can not copy signatures to ${transportString(this.reference)}: OCI layouts do not store simple signatures`,
      ),
    );
  }

  private withEntry(index: OciIndexFile | undefined): OciIndexFile {
    const top = this.top as IndexDescriptor;
    const base: OciIndexFile = index ?? { schemaVersion: 2, manifests: [] };
    const manifests = base.manifests.map((m) => {
      if (
        this.image === '' ||
        m.annotations?.[REF_NAME_ANNOTATION] !== this.image
      )
        return m;
      const annotations = { ...m.annotations };
      delete annotations[REF_NAME_ANNOTATION];
      return { ...m, annotations };
    });
    const same = manifests.findIndex(
      (m) => m.digest === top.digest && !m.annotations?.[REF_NAME_ANNOTATION],
    );
    if (same >= 0) manifests[same] = top;
    else manifests.push(top);
    return { ...base, schemaVersion: base.schemaVersion ?? 2, manifests };
  }

  async commit(): Promise<void> {
    if (!this.top)
      throw new ImgsignError(
        'USAGE',
        `internal: commit of ${transportString(this.reference)} without a manifest`,
      );
    if (!this.staging.targetExisted) {
      await this.staging.putFile(OCI_LAYOUT_FILE, OCI_LAYOUT_CONTENT);
      await this.staging.putFile(
        OCI_INDEX_FILE,
        JSON.stringify(this.withEntry(undefined)),
      );
      await rename(this.staging.dir, this.layoutDir);
      this.committed = true;
      return;
    }
    for (const rel of this.staging.staged()) {
      const target = join(this.layoutDir, rel);
      await mkdir(dirname(target), { recursive: true });
      await rename(this.staging.path(rel), target);
    }
    if (!(await pathExists(join(this.layoutDir, OCI_LAYOUT_FILE)))) {
      await writeFileAtomic(
        join(this.layoutDir, OCI_LAYOUT_FILE),
        OCI_LAYOUT_CONTENT,
      );
    }
    const index = await readIndex(this.layoutDir);
    await writeFileAtomic(
      join(this.layoutDir, OCI_INDEX_FILE),
      JSON.stringify(this.withEntry(index)),
    );
    await rm(this.staging.dir, { recursive: true, force: true });
    this.committed = true;
  }

  async close(): Promise<void> {
    if (!this.committed) await this.staging.discard();
  }
}
