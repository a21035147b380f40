import { ImgsignError } from '../errors.js';
import { describeManifestDigest, matchesDigest } from '../manifest/digest.js';
import type {
  ImageReference,
  ImageSource,
  ManifestBlob,
} from '../transports/types.js';

/**
 * What the policy engine needs of an image: its reference, the manifest
 * and the raw signature blobs, nothing else (never layers). Everything
 * returned is untrusted.
 */
export interface UnparsedImage {
  reference: ImageReference;
  manifest(): Promise<ManifestBlob>;
  signatures(): Promise<Buffer[]>;
  /** Where signatures were looked for (a lookaside URL, a directory), for messages. */
  signatureSource?: string;
  /**
   * Set when this is one instance of a manifest list: the manifest must have
   * this digest (instead of any digest in the reference).
   */
  instanceDigest?: string;
}

/**
 * An image from fixed values: the pure form of evaluation, for tests and
 * differential runs. `manifest` may be an Error, which manifest() throws.
 */
export function staticImage(
  reference: ImageReference,
  manifest: ManifestBlob | Error,
  signatures: Buffer[] | Error,
  signatureSource?: string,
): UnparsedImage {
  return {
    reference,
    manifest: () =>
      manifest instanceof Error
        ? Promise.reject(manifest)
        : Promise.resolve(manifest),
    signatures: () =>
      signatures instanceof Error
        ? Promise.reject(signatures)
        : Promise.resolve(signatures),
    ...(signatureSource !== undefined ? { signatureSource } : {}),
  };
}

/**
 * The manifest and signatures of an opened ImageSource: the top level, or
 * with `instanceDigest` one instance of a manifest list.
 */
export function imageFromSource(
  src: ImageSource,
  signatureSource?: string,
  instanceDigest?: string,
): UnparsedImage {
  return {
    reference: src.reference,
    manifest: () => src.getManifest(instanceDigest),
    signatures: () => src.getSignatures(instanceDigest),
    ...(signatureSource !== undefined ? { signatureSource } : {}),
    ...(instanceDigest !== undefined ? { instanceDigest } : {}),
  };
}

/**
 * The wrapper evaluation always uses: each of manifest() and signatures()
 * runs at most once, and when the reference names a digest the manifest is
 * checked against it before anyone sees it (SPEC §3.6, c/image
 * UnparsedImage.Manifest).
 */
export function cachedImage(image: UnparsedImage): UnparsedImage {
  let manifest: Promise<ManifestBlob> | undefined;
  let signatures: Promise<Buffer[]> | undefined;
  const expected =
    image.instanceDigest ?? image.reference.dockerReference()?.digest;
  return {
    reference: image.reference,
    manifest: () => {
      manifest ??= image.manifest().then((m) => {
        if (expected !== undefined && !matchesDigest(m.bytes, expected)) {
          const actual = describeManifestDigest(m.bytes);
          throw new ImgsignError(
            'DIGEST_MISMATCH',
            `the manifest does not match the digest ${image.instanceDigest !== undefined ? 'of the list instance' : 'in the reference'}: expected ${expected}, got ${actual}`,
          );
        }
        return m;
      });
      return manifest;
    },
    signatures: () => {
      signatures ??= image.signatures();
      return signatures;
    },
    // Read through: the source may only know where it looked after reading.
    get signatureSource() {
      return image.signatureSource;
    },
    ...(image.instanceDigest !== undefined
      ? { instanceDigest: image.instanceDigest }
      : {}),
  };
}
