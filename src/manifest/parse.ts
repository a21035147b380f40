import { isValidDigest } from '../digest/digest.js';
import { ImgsignError } from '../errors.js';
import type { BlobInfo } from '../transports/types.js';
import { guessManifestMediaType, normalizeMediaType } from './guess.js';
import { MAX_MANIFEST_BYTES, MediaType } from './media-types.js';

/** os/architecture/variant of a list instance (OCI image-index `platform`). */
export interface Platform {
  os?: string;
  architecture?: string;
  variant?: string;
  'os.version'?: string;
  'os.features'?: string[];
}

/** One entry of a Docker manifest list or OCI index. */
export interface ListInstance {
  digest: string;
  size: number;
  mediaType: string;
  platform?: Platform;
  annotations?: Record<string, string>;
}

/** A single-image manifest: v2s2, OCI, or (read-only) schema1. */
export interface ImageManifest {
  kind: 'image';
  mediaType: string;
  /** Undefined for schema1, which embeds its config. */
  config?: BlobInfo;
  /** Base layer first. */
  layers: BlobInfo[];
  /** The parsed JSON, for conversion and inspection. */
  json: Record<string, unknown>;
}

export interface ManifestList {
  kind: 'list';
  mediaType: string;
  manifests: ListInstance[];
  json: Record<string, unknown>;
}

export type ParsedManifest = ImageManifest | ManifestList;

function invalid(what: string, detail: string): ImgsignError {
  return new ImgsignError('INVALID_MANIFEST', `invalid ${what}: ${detail}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringMap(
  v: unknown,
  what: string,
): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v) || Object.values(v).some((x) => typeof x !== 'string')) {
    throw invalid(what, 'annotations must map strings to strings');
  }
  return v as Record<string, string>;
}

/** A content descriptor; the digest is validated before anyone builds a path from it. */
function descriptor(v: unknown, what: string): BlobInfo {
  if (!isObject(v)) throw invalid(what, 'descriptor is not an object');
  const { digest, size, mediaType, urls } = v;
  if (typeof digest !== 'string' || !isValidDigest(digest)) {
    throw invalid(
      what,
      `descriptor digest ${JSON.stringify(digest)} is not a valid digest`,
    );
  }
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw invalid(
      what,
      `descriptor ${digest} has invalid size ${JSON.stringify(size)}`,
    );
  }
  if (mediaType !== undefined && typeof mediaType !== 'string') {
    throw invalid(what, `descriptor ${digest} has a non-string mediaType`);
  }
  const info: BlobInfo = { digest, size };
  if (mediaType !== undefined) info.mediaType = mediaType;
  const annotations = stringMap(v['annotations'], what);
  if (annotations) info.annotations = annotations;
  if (urls !== undefined) {
    if (!Array.isArray(urls) || urls.some((u) => typeof u !== 'string')) {
      throw invalid(what, `descriptor ${digest} has invalid urls`);
    }
    info.urls = urls as string[];
  }
  return info;
}

function platformOf(v: unknown, what: string): Platform | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw invalid(what, 'platform is not an object');
  const p: Platform = {};
  for (const key of ['os', 'architecture', 'variant', 'os.version'] as const) {
    const value = v[key];
    if (value === undefined) continue;
    if (typeof value !== 'string')
      throw invalid(what, `platform.${key} is not a string`);
    p[key] = value;
  }
  const features = v['os.features'];
  if (Array.isArray(features) && features.every((f) => typeof f === 'string')) {
    p['os.features'] = features;
  }
  return p;
}

function parseSchema1Layers(
  json: Record<string, unknown>,
  what: string,
): BlobInfo[] {
  const fsLayers = json['fsLayers'];
  if (!Array.isArray(fsLayers) || fsLayers.length === 0) {
    throw invalid(what, 'schema1 manifest has no fsLayers');
  }
  // schema1 lists the top layer first.
  return fsLayers
    .map((l: unknown) => {
      const blobSum = isObject(l) ? l['blobSum'] : undefined;
      if (typeof blobSum !== 'string' || !isValidDigest(blobSum)) {
        throw invalid(
          what,
          `schema1 blobSum ${JSON.stringify(blobSum)} is not a valid digest`,
        );
      }
      return { digest: blobSum, size: -1, mediaType: MediaType.dockerV2Layer };
    })
    .reverse();
}

/**
 * Parse untrusted manifest bytes (size-capped). `mediaType` is what the
 * transport reported; when empty or generic it is guessed from the bytes.
 * `what` names the manifest in error messages ("manifest of dir:/x").
 */
export function parseManifest(
  untrustedBytes: Buffer,
  mediaType = '',
  what = 'manifest',
): ParsedManifest {
  if (untrustedBytes.length > MAX_MANIFEST_BYTES) {
    throw invalid(
      what,
      `${untrustedBytes.length} bytes exceeds the ${MAX_MANIFEST_BYTES}-byte limit`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(untrustedBytes.toString('utf8'));
  } catch (err) {
    throw invalid(what, `not JSON (${(err as Error).message})`);
  }
  if (!isObject(json)) throw invalid(what, 'not a JSON object');
  let type = normalizeMediaType(mediaType);
  if (type === '' || type === 'text/plain' || type === 'application/json') {
    type = guessManifestMediaType(untrustedBytes);
  }
  switch (type) {
    case MediaType.dockerV2Schema2:
    case MediaType.ociManifest: {
      const layers = json['layers'];
      if (!Array.isArray(layers)) throw invalid(what, 'layers is not an array');
      return {
        kind: 'image',
        mediaType: type,
        config: descriptor(json['config'], `${what} config`),
        layers: layers.map((l, i) => descriptor(l, `${what} layer ${i}`)),
        json,
      };
    }
    case MediaType.dockerV2Schema1:
    case MediaType.dockerV2Schema1Signed:
      return {
        kind: 'image',
        mediaType: type,
        layers: parseSchema1Layers(json, what),
        json,
      };
    case MediaType.dockerV2List:
    case MediaType.ociIndex: {
      const manifests = json['manifests'];
      if (!Array.isArray(manifests))
        throw invalid(what, 'manifests is not an array');
      return {
        kind: 'list',
        mediaType: type,
        manifests: manifests.map((m: unknown, i) => {
          const w = `${what} instance ${i}`;
          const d = descriptor(m, w);
          const inst: ListInstance = {
            digest: d.digest,
            size: d.size,
            mediaType: d.mediaType ?? MediaType.ociManifest,
          };
          const platform = platformOf(
            isObject(m) ? m['platform'] : undefined,
            w,
          );
          if (platform) inst.platform = platform;
          if (d.annotations) inst.annotations = d.annotations;
          return inst;
        }),
        json,
      };
    }
    default:
      throw invalid(what, `unsupported manifest media type "${type}"`);
  }
}

/** Every blob an image manifest references: config first, then unique layers. */
export function referencedBlobs(m: ImageManifest): BlobInfo[] {
  const seen = new Set<string>();
  const out: BlobInfo[] = [];
  for (const b of m.config ? [m.config, ...m.layers] : m.layers) {
    if (seen.has(b.digest)) continue;
    seen.add(b.digest);
    out.push(b);
  }
  return out;
}
