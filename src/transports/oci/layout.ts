import { join } from 'node:path';
import {
  digestAlgorithm,
  digestHex,
  isValidDigest,
} from '../../digest/digest.js';
import { ImgsignError } from '../../errors.js';
import { MAX_MANIFEST_BYTES, MediaType } from '../../manifest/media-types.js';
import { readFileCapped } from '../internal/fs-utils.js';

/** OCI image layout (image-spec layout.md): oci-layout, index.json, blobs/<alg>/<hex>. */
export const OCI_LAYOUT_FILE = 'oci-layout';
export const OCI_INDEX_FILE = 'index.json';
export const OCI_LAYOUT_CONTENT = '{"imageLayoutVersion":"1.0.0"}';
export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';

export interface IndexDescriptor {
  mediaType?: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

export interface OciIndexFile {
  schemaVersion?: number;
  manifests: IndexDescriptor[];
  [key: string]: unknown;
}

/** `blobs/sha256/<hex>`, relative to the layout; the digest is validated first. */
export function blobRelPath(digest: string): string {
  if (!isValidDigest(digest)) {
    throw new ImgsignError(
      'INVALID_MANIFEST',
      `"${digest}" is not a valid digest; refusing to build a blob path from it`,
    );
  }
  return `blobs/${digestAlgorithm(digest)}/${digestHex(digest)}`;
}

export function blobPath(layoutDir: string, digest: string): string {
  return join(layoutDir, blobRelPath(digest));
}

const imageTypes: readonly string[] = [
  MediaType.ociManifest,
  MediaType.ociIndex,
  MediaType.dockerV2Schema2,
  MediaType.dockerV2List,
];

/** Read and check index.json; undefined when the layout has none. */
export async function readIndex(
  layoutDir: string,
): Promise<OciIndexFile | undefined> {
  const path = join(layoutDir, OCI_INDEX_FILE);
  const bytes = await readFileCapped(path, MAX_MANIFEST_BYTES, 'OCI index');
  if (bytes === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new ImgsignError(
      'INVALID_MANIFEST',
      `${path}: not JSON (${(err as Error).message})`,
    );
  }
  const manifests = (json as { manifests?: unknown } | null)?.manifests;
  if (
    typeof json !== 'object' ||
    json === null ||
    Array.isArray(json) ||
    !(manifests === undefined || manifests === null || Array.isArray(manifests))
  ) {
    throw new ImgsignError(
      'INVALID_MANIFEST',
      `${path}: not an OCI index (manifests must be an array)`,
    );
  }
  const index = json as OciIndexFile;
  index.manifests = (manifests ?? []) as IndexDescriptor[];
  for (const [i, d] of index.manifests.entries()) {
    if (
      typeof d !== 'object' ||
      d === null ||
      typeof d.digest !== 'string' ||
      !isValidDigest(d.digest) ||
      typeof d.size !== 'number' ||
      !Number.isSafeInteger(d.size) ||
      d.size < 0
    ) {
      throw new ImgsignError(
        'INVALID_MANIFEST',
        `${path}: manifests[${i}] has an invalid digest or size`,
      );
    }
  }
  return index;
}

/**
 * The descriptor an `oci:` reference names: by ref name annotation, by
 * `@N` position, or the only entry when neither is given.
 */
export function findDescriptor(
  index: OciIndexFile,
  where: string,
  image: string,
  sourceIndex: number,
): IndexDescriptor {
  if (sourceIndex >= 0) {
    const d = index.manifests[sourceIndex];
    if (!d) {
      throw new ImgsignError(
        'NOT_FOUND',
        `${where}: index @${sourceIndex} is too large, only ${index.manifests.length} entries available`,
      );
    }
    return d;
  }
  if (image !== '') {
    const named = index.manifests.filter(
      (d) => d.annotations?.[REF_NAME_ANNOTATION] === image,
    );
    const usable = named.find((d) => imageTypes.includes(d.mediaType ?? ''));
    if (usable) return usable;
    if (named.length > 0) {
      throw new ImgsignError(
        'UNSUPPORTED',
        `${where}: reference "${image}" names unsupported media type(s) ${named.map((d) => JSON.stringify(d.mediaType)).join(', ')}`,
      );
    }
    throw new ImgsignError(
      'NOT_FOUND',
      `${where}: no image named "${image}" in the layout's index.json`,
    );
  }
  if (index.manifests.length !== 1 || !index.manifests[0]) {
    throw new ImgsignError(
      'USAGE',
      `${where}: the layout holds ${index.manifests.length} images; choose one with :NAME or :@INDEX`,
    );
  }
  return index.manifests[0];
}
