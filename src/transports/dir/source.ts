import type { Readable } from 'node:stream';
import { ImgsignError } from '../../errors.js';
import { guessManifestMediaType } from '../../manifest/guess.js';
import { matchesDigest } from '../../manifest/digest.js';
import { MAX_MANIFEST_BYTES } from '../../manifest/media-types.js';
import { transportString } from '../types.js';
import type { BlobInfo, ImageSource, ManifestBlob } from '../types.js';
import { openBlobFile, readFileCapped } from '../internal/fs-utils.js';
import type { DirReference } from './transport.js';
import { blobFile, inDir, manifestFile, signatureFile } from './paths.js';

/** Upper bound for one signature file (simple signatures are a few KiB). */
export const MAX_SIGNATURE_BYTES = 4 * 1024 * 1024;

export class DirImageSource implements ImageSource {
  readonly reference: DirReference;

  constructor(ref: DirReference) {
    this.reference = ref;
  }

  private get dir(): string {
    return this.reference.path;
  }

  async getManifest(instanceDigest?: string): Promise<ManifestBlob> {
    const name = manifestFile(instanceDigest);
    const what = `manifest of ${transportString(this.reference)}`;
    const bytes = await readFileCapped(
      inDir(this.dir, name),
      MAX_MANIFEST_BYTES,
      what,
    );
    if (bytes === undefined) {
      throw new ImgsignError(
        'NOT_FOUND',
        `reading ${what}: ${inDir(this.dir, name)} does not exist`,
      );
    }
    if (instanceDigest !== undefined && !matchesDigest(bytes, instanceDigest)) {
      throw new ImgsignError(
        'DIGEST_MISMATCH',
        `${name} in ${transportString(this.reference)} does not match digest ${instanceDigest}`,
      );
    }
    return { bytes, mediaType: guessManifestMediaType(bytes) };
  }

  getBlob(info: BlobInfo): Promise<{ stream: Readable; size: number }> {
    return openBlobFile(
      inDir(this.dir, blobFile(info.digest)),
      info.digest,
      transportString(this.reference),
    );
  }

  /** signature-1, signature-2, … until the first that does not exist (SPEC §6). */
  async getSignatures(instanceDigest?: string): Promise<Buffer[]> {
    const out: Buffer[] = [];
    for (let n = 1; ; n++) {
      const name = signatureFile(n, instanceDigest);
      const blob = await readFileCapped(
        inDir(this.dir, name),
        MAX_SIGNATURE_BYTES,
        'signature',
      );
      if (blob === undefined) return out;
      out.push(blob);
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
