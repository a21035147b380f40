import { ImgsignError } from '../../../errors.js';
import { isValidDigest } from '../../../digest/digest.js';

/** File names of the docker save format (docker `image/tarexport`). */
export const TAR_MANIFEST_FILE = 'manifest.json';
export const LEGACY_REPOSITORIES_FILE = 'repositories';
export const LEGACY_LAYER_FILE = 'layer.tar';
export const LEGACY_CONFIG_FILE = 'json';
export const LEGACY_VERSION_FILE = 'VERSION';

/** Caps for JSON read from an archive (c/image iolimits: 1 MiB manifest.json, 4 MiB config). */
export const MAX_TAR_MANIFEST_BYTES = 1024 * 1024;
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

/** One element of the top-level `manifest.json` array. */
export interface TarManifestItem {
  Config: string;
  RepoTags: string[];
  Layers: string[];
}

/** A v2s2 descriptor, the subset the archive code needs (the manifest module owns the full types). */
export interface Schema2Descriptor {
  mediaType: string;
  size: number;
  digest: string;
}

export interface Schema2Manifest {
  schemaVersion: 2;
  mediaType: string;
  config: Schema2Descriptor;
  layers: Schema2Descriptor[];
}

function bad(archive: string, what: string): ImgsignError {
  return new ImgsignError(
    'INVALID_MANIFEST',
    `archive ${archive}: invalid manifest.json: ${what}`,
  );
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

/** Parse `manifest.json`. Unknown members (`Parent`, `LayerSources`) are ignored, as docker does. */
export function parseTarManifest(
  archive: string,
  untrustedBytes: Buffer,
): TarManifestItem[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(untrustedBytes.toString('utf8'));
  } catch (err) {
    throw bad(archive, (err as Error).message);
  }
  if (!Array.isArray(parsed)) throw bad(archive, 'not a JSON array');
  return parsed.map((raw: unknown, i): TarManifestItem => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw bad(archive, `item @${i} is not an object`);
    }
    const item = raw as Record<string, unknown>;
    const tags = item['RepoTags'] ?? [];
    if (typeof item['Config'] !== 'string') {
      throw bad(archive, `item @${i} has no Config string`);
    }
    if (!isStringArray(tags)) {
      throw bad(archive, `item @${i} RepoTags is not a list of strings`);
    }
    if (!isStringArray(item['Layers'])) {
      throw bad(archive, `item @${i} Layers is not a list of strings`);
    }
    return { Config: item['Config'], RepoTags: tags, Layers: item['Layers'] };
  });
}

/** The layer DiffIDs of an image config (`rootfs.diff_ids`), validated as digests. */
export function configDiffIDs(
  where: string,
  untrustedConfig: Buffer,
): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(untrustedConfig.toString('utf8'));
  } catch (err) {
    throw new ImgsignError(
      'INVALID_MANIFEST',
      `${where}: image config is not JSON: ${(err as Error).message}`,
    );
  }
  const rootfs =
    typeof parsed === 'object' && parsed !== null
      ? (parsed as Record<string, unknown>)['rootfs']
      : undefined;
  const diffIDs =
    typeof rootfs === 'object' && rootfs !== null
      ? (rootfs as Record<string, unknown>)['diff_ids']
      : undefined;
  if (rootfs === undefined || rootfs === null) {
    throw new ImgsignError(
      'INVALID_MANIFEST',
      `${where}: image config has no rootfs`,
    );
  }
  const list = diffIDs ?? [];
  if (!isStringArray(list) || !list.every(isValidDigest)) {
    throw new ImgsignError(
      'INVALID_MANIFEST',
      `${where}: image config rootfs.diff_ids is not a list of digests`,
    );
  }
  return list;
}
