import type { Readable } from 'node:stream';
import { ImgsignError } from '../../errors.js';
import { matchesDigest } from '../../manifest/digest.js';
import { guessManifestMediaType } from '../../manifest/guess.js';
import { MAX_MANIFEST_BYTES } from '../../manifest/media-types.js';
import { openBlobFile, readFileCapped } from '../internal/fs-utils.js';
import type {
  BlobInfo,
  ImageReference,
  ImageSource,
  ManifestBlob,
} from '../types.js';
import { transportString } from '../types.js';
import { blobPath, findDescriptor, readIndex } from './layout.js';
import type { IndexDescriptor } from './layout.js';
import type { OciLikeReference } from './reference.js';

/**
 * Reads one image of an OCI layout at `layoutDir` (for oci-archive:, the
 * extracted temporary copy). The manifest is a blob named by the index
 * descriptor and is checked against that digest. No simple signatures.
 */
export class OciImageSource implements ImageSource {
  readonly reference: ImageReference;
  private readonly layoutDir: string;
  private readonly descriptor: IndexDescriptor;
  private readonly onClose: (() => Promise<void>) | undefined;

  private constructor(
    ref: ImageReference,
    layoutDir: string,
    descriptor: IndexDescriptor,
    onClose?: () => Promise<void>,
  ) {
    this.reference = ref;
    this.layoutDir = layoutDir;
    this.descriptor = descriptor;
    this.onClose = onClose;
  }

  static async open(
    ref: OciLikeReference,
    layoutDir: string,
    onClose?: () => Promise<void>,
  ): Promise<OciImageSource> {
    const where = transportString(ref);
    const index = await readIndex(layoutDir);
    if (!index) {
      throw new ImgsignError(
        'NOT_FOUND',
        `${where}: no index.json, not an OCI image layout`,
      );
    }
    const d = findDescriptor(index, where, ref.image, ref.sourceIndex);
    return new OciImageSource(ref, layoutDir, d, onClose);
  }

  async getManifest(instanceDigest?: string): Promise<ManifestBlob> {
    const digest = instanceDigest ?? this.descriptor.digest;
    const what = `manifest ${digest} of ${transportString(this.reference)}`;
    const bytes = await readFileCapped(
      blobPath(this.layoutDir, digest),
      MAX_MANIFEST_BYTES,
      what,
    );
    if (bytes === undefined)
      throw new ImgsignError(
        'NOT_FOUND',
        `${what}: blob missing from the layout`,
      );
    if (!matchesDigest(bytes, digest)) {
      throw new ImgsignError(
        'DIGEST_MISMATCH',
        `${what}: the stored bytes do not match the digest`,
      );
    }
    const declared =
      instanceDigest === undefined ? this.descriptor.mediaType : undefined;
    return {
      bytes,
      mediaType: guessManifestMediaType(bytes) || declared || '',
    };
  }

  getBlob(info: BlobInfo): Promise<{ stream: Readable; size: number }> {
    return openBlobFile(
      blobPath(this.layoutDir, info.digest),
      info.digest,
      transportString(this.reference),
    );
  }

  getSignatures(_instanceDigest?: string): Promise<Buffer[]> {
    return Promise.resolve([]);
  }

  async close(): Promise<void> {
    await this.onClose?.();
  }
}
