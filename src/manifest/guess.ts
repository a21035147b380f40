import { MediaType } from './media-types.js';

/** Media types a manifest may declare for itself in its `mediaType` member. */
const selfDeclared: readonly string[] = [
  MediaType.dockerV2Schema1,
  MediaType.dockerV2Schema1Signed,
  MediaType.dockerV2Schema2,
  MediaType.dockerV2List,
  MediaType.ociManifest,
  MediaType.ociIndex,
];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Guess the media type of manifest bytes the way containers/image does
 * (SPEC §2 "Schema1 detection"): the declared `mediaType` when it is a known
 * manifest type, else schemaVersion 1 (signed iff `signatures` is present and
 * not null), else for schemaVersion 2 the config media type or the presence
 * of `manifests`. Returns '' for bytes that are not a JSON object.
 */
export function guessManifestMediaType(untrustedBytes: Buffer): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(untrustedBytes.toString('utf8'));
  } catch {
    return '';
  }
  if (!isObject(parsed)) return '';
  const declared = parsed['mediaType'];
  if (typeof declared === 'string' && selfDeclared.includes(declared)) {
    return declared;
  }
  switch (parsed['schemaVersion']) {
    case 1:
      return parsed['signatures'] !== undefined && parsed['signatures'] !== null
        ? MediaType.dockerV2Schema1Signed
        : MediaType.dockerV2Schema1;
    case 2: {
      const config = parsed['config'];
      const configType = isObject(config) ? config['mediaType'] : undefined;
      if (configType === MediaType.ociConfig) return MediaType.ociManifest;
      if (configType === MediaType.dockerV2Config)
        return MediaType.dockerV2Schema2;
      const manifests = parsed['manifests'];
      if (Array.isArray(manifests) && manifests.length > 0) {
        return typeof configType === 'string' && configType !== ''
          ? configType
          : MediaType.ociIndex;
      }
      // Most likely an OCI artifact with a custom config type.
      return MediaType.ociManifest;
    }
    default:
      return '';
  }
}

/** Normalise a media type as received (HTTP Content-Type may carry parameters). */
export function normalizeMediaType(mediaType: string): string {
  return (mediaType.split(';')[0] ?? '').trim();
}
