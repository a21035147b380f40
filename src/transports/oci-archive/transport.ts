import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImgsignError } from '../../errors.js';
import type { SystemContext } from '../../system-context.js';
import { validatePathScope } from '../internal/paths.js';
import { OciImageDestination } from '../oci/destination.js';
import { OciLikeReference, parseOciLikeReference } from '../oci/reference.js';
import { OciImageSource } from '../oci/source.js';
import type {
  BlobInfo,
  ImageDestination,
  ImageSource,
  ImageTransport,
  ManifestBlob,
  PutBlobOptions,
} from '../types.js';
import type { Readable } from 'node:stream';
import { extractArchive } from './extract.js';
import { packDirectory } from './pack.js';

/** `oci-archive:PATH[:NAME]`: a tar of an OCI image layout. */
export const ociArchiveTransport: ImageTransport = {
  name: 'oci-archive',
  parseReference(reference: string): OciArchiveReference {
    return new OciArchiveReference(
      parseOciLikeReference('oci-archive', reference),
    );
  },
  validatePolicyConfigurationScope(scope: string): void {
    validatePathScope('oci-archive', scope);
  },
};

export class OciArchiveReference extends OciLikeReference {
  readonly transport = ociArchiveTransport;

  /** Extract to a private temporary layout, removed again by close(). */
  async newImageSource(_sys: SystemContext): Promise<ImageSource> {
    const tmp = await mkdtemp(join(tmpdir(), 'imgsign-oci-archive-'));
    const cleanup = () => rm(tmp, { recursive: true, force: true });
    try {
      await extractArchive(this.dir, tmp);
      return await OciImageSource.open(this, tmp, cleanup);
    } catch (err) {
      await cleanup();
      if (err instanceof ImgsignError) throw err;
      throw new ImgsignError(
        'INCONCLUSIVE',
        `reading oci-archive:${this.dir}: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }

  async newImageDestination(_sys: SystemContext): Promise<ImageDestination> {
    if (this.sourceIndex >= 0) {
      throw new ImgsignError(
        'USAGE',
        `oci-archive:${this.stringWithinTransport()}: a destination cannot use a source index`,
      );
    }
    const tmp = await mkdtemp(join(tmpdir(), 'imgsign-oci-archive-'));
    const layout = join(tmp, 'layout');
    const inner = await OciImageDestination.open(this, layout, this.image);
    return new OciArchiveDestination(inner, layout, tmp, this);
  }
}

/**
 * An OCI layout assembled in a temporary directory and written as a whole
 * new archive at commit() (an existing archive is replaced, as skopeo does).
 */
class OciArchiveDestination implements ImageDestination {
  readonly reference: OciArchiveReference;
  constructor(
    private readonly inner: OciImageDestination,
    private readonly layout: string,
    private readonly tmp: string,
    ref: OciArchiveReference,
  ) {
    this.reference = ref;
  }
  supportedManifestMediaTypes(): string[] | undefined {
    return this.inner.supportedManifestMediaTypes();
  }
  supportsSignatures(): Promise<boolean> {
    return Promise.resolve(false);
  }
  tryReusingBlob(info: BlobInfo): Promise<BlobInfo | undefined> {
    return this.inner.tryReusingBlob(info);
  }
  putBlob(
    stream: Readable,
    info: BlobInfo,
    options?: PutBlobOptions,
  ): Promise<BlobInfo> {
    return this.inner.putBlob(stream, info, options);
  }
  putManifest(manifest: ManifestBlob, instanceDigest?: string): Promise<void> {
    return this.inner.putManifest(manifest, instanceDigest);
  }
  putSignatures(signatures: Buffer[], instanceDigest?: string): Promise<void> {
    return this.inner.putSignatures(signatures, instanceDigest);
  }
  async commit(): Promise<void> {
    await this.inner.commit();
    await packDirectory(this.layout, this.reference.dir);
  }
  async close(): Promise<void> {
    await this.inner.close();
    await rm(this.tmp, { recursive: true, force: true });
  }
}
