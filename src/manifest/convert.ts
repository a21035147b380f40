import { ImgsignError } from '../errors.js';
import type { BlobInfo } from '../transports/types.js';
import { MediaType } from './media-types.js';
import type { ImageManifest, ListInstance, ManifestList } from './parse.js';

/**
 * v2s2 ↔ OCI conversion. Used only when the destination cannot store the
 * source's type or `--format` asks for another one: the new manifest has new
 * bytes and so a new digest, which invalidates any signature of the old one.
 * The config blob is kept as is (the Docker and OCI configs are compatible);
 * only descriptors and media types change. Output is compact JSON with the
 * member order the reference tools emit.
 */

const dockerUncompressedLayer = 'application/vnd.docker.image.rootfs.diff.tar';
const ociNondistributableGzip =
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip';
const ociNondistributable =
  'application/vnd.oci.image.layer.nondistributable.v1.tar';

const layerToOci: Record<string, string> = {
  [MediaType.dockerV2Layer]: MediaType.ociLayerGzip,
  [dockerUncompressedLayer]: MediaType.ociLayer,
  [MediaType.dockerV2ForeignLayer]: ociNondistributableGzip,
};

const layerToDocker: Record<string, string> = {
  [MediaType.ociLayerGzip]: MediaType.dockerV2Layer,
  [MediaType.ociLayer]: dockerUncompressedLayer,
  [ociNondistributableGzip]: MediaType.dockerV2ForeignLayer,
  [ociNondistributable]: MediaType.dockerV2ForeignLayer,
};

function unsupported(detail: string): ImgsignError {
  return new ImgsignError('UNSUPPORTED', `cannot convert manifest: ${detail}`);
}

function ociDescriptor(
  b: BlobInfo,
  mediaType: string,
): Record<string, unknown> {
  const d: Record<string, unknown> = {
    mediaType,
    digest: b.digest,
    size: b.size,
  };
  if (b.urls) d['urls'] = b.urls;
  if (b.annotations) d['annotations'] = b.annotations;
  return d;
}

function dockerDescriptor(
  b: BlobInfo,
  mediaType: string,
): Record<string, unknown> {
  const d: Record<string, unknown> = {
    mediaType,
    size: b.size,
    digest: b.digest,
  };
  if (b.urls) d['urls'] = b.urls;
  return d;
}

/** The manifest type to produce for an image manifest of `from` given a wanted family. */
export function canConvertImage(from: string, to: string): boolean {
  return (
    from === to ||
    (from === MediaType.dockerV2Schema2 && to === MediaType.ociManifest) ||
    (from === MediaType.ociManifest && to === MediaType.dockerV2Schema2)
  );
}

/** The list type matching an image manifest type (and back). */
export function listTypeFor(imageType: string): string {
  return imageType === MediaType.ociManifest
    ? MediaType.ociIndex
    : MediaType.dockerV2List;
}
export function imageTypeFor(listType: string): string {
  return listType === MediaType.ociIndex
    ? MediaType.ociManifest
    : MediaType.dockerV2Schema2;
}

export function convertImageManifest(m: ImageManifest, to: string): Buffer {
  if (!m.config)
    throw unsupported(`schema1 (${m.mediaType}) cannot be converted`);
  if (
    to === MediaType.ociManifest &&
    m.mediaType === MediaType.dockerV2Schema2
  ) {
    const out = {
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      config: ociDescriptor(m.config, MediaType.ociConfig),
      layers: m.layers.map((l) => {
        const t = layerToOci[l.mediaType ?? ''];
        if (!t)
          throw unsupported(
            `unknown layer media type "${l.mediaType}" for OCI`,
          );
        return ociDescriptor(l, t);
      }),
    };
    return Buffer.from(JSON.stringify(out));
  }
  if (
    to === MediaType.dockerV2Schema2 &&
    m.mediaType === MediaType.ociManifest
  ) {
    if (m.config.mediaType !== MediaType.ociConfig) {
      throw unsupported(
        `config media type "${m.config.mediaType}" is not an image config`,
      );
    }
    const out = {
      schemaVersion: 2,
      mediaType: MediaType.dockerV2Schema2,
      config: dockerDescriptor(m.config, MediaType.dockerV2Config),
      layers: m.layers.map((l) => {
        const t = layerToDocker[l.mediaType ?? ''];
        if (!t)
          throw unsupported(
            `layer media type "${l.mediaType}" has no Docker v2s2 equivalent`,
          );
        return dockerDescriptor(l, t);
      }),
    };
    return Buffer.from(JSON.stringify(out));
  }
  throw unsupported(`from ${m.mediaType} to ${to}`);
}

/** A list instance as stored after copying (possibly converted). */
export interface InstanceUpdate {
  digest: string;
  size: number;
  mediaType: string;
}

/**
 * Rebuild a list of type `to` whose instances are replaced per `updates`
 * (keyed by the original instance digest); instances not in `updates` are
 * dropped (they were not copied). Platforms and annotations are kept.
 */
export function rebuildList(
  list: ManifestList,
  to: string,
  updates: Map<string, InstanceUpdate>,
): Buffer {
  const oci = to === MediaType.ociIndex;
  const manifests = list.manifests.flatMap((inst: ListInstance) => {
    const u = updates.get(inst.digest);
    if (!u) return [];
    const d: Record<string, unknown> = oci
      ? { mediaType: u.mediaType, digest: u.digest, size: u.size }
      : { mediaType: u.mediaType, size: u.size, digest: u.digest };
    if (inst.platform) d['platform'] = inst.platform;
    if (oci && inst.annotations) d['annotations'] = inst.annotations;
    return [d];
  });
  const out: Record<string, unknown> = {
    schemaVersion: 2,
    mediaType: to,
    manifests,
  };
  const annotations = list.json['annotations'];
  if (oci && annotations !== undefined) out['annotations'] = annotations;
  return Buffer.from(JSON.stringify(out));
}
