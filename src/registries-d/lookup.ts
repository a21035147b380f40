import { isValidDigest, digestAlgorithm, digestHex } from '../digest/digest.js';
import { ImgsignError } from '../errors.js';
import {
  type DockerReference,
  policyConfigurationIdentity,
  policyConfigurationNamespaces,
  referenceString,
} from '../reference/docker-reference.js';
import type {
  ConfiguredSection,
  RegistriesConfig,
  RegistriesSection,
} from './load.js';

export type LookasideOperation = 'read' | 'write';

/** Where the lookaside for one image and operation comes from (SPEC §4.2). */
export interface LookasideLocation {
  /** The base URL exactly as configured (not yet validated, no repository path). */
  url: string;
  /** The matching `docker` scope, `default-docker`, or `""` for the built-in default. */
  scope: string;
  /** The registries.d file that configured it; undefined for the built-in default. */
  file?: string;
  /** `lookaside`, `lookaside-staging`, `sigstore`, `sigstore-staging` or `built-in default`. */
  key: string;
  builtIn: boolean;
}

const readKeys = [
  ['lookaside', 'lookaside'],
  ['sigstore', 'sigstore'],
] as const;
const writeKeys = [
  ['lookasideStaging', 'lookaside-staging'],
  ['sigstoreStaging', 'sigstore-staging'],
  ...readKeys,
] as const;

/** Sections that apply to `ref`, most specific first: identity, namespaces, default-docker. */
function candidates(
  config: RegistriesConfig,
  ref: DockerReference,
): { scope: string; configured: ConfiguredSection }[] {
  const out: { scope: string; configured: ConfiguredSection }[] = [];
  for (const scope of [
    policyConfigurationIdentity(ref),
    ...policyConfigurationNamespaces(ref),
  ]) {
    const configured = config.docker.get(scope);
    if (configured !== undefined) out.push({ scope, configured });
  }
  if (config.defaultDocker !== undefined) {
    out.push({ scope: 'default-docker', configured: config.defaultDocker });
  }
  return out;
}

/**
 * The lookaside base for `ref`. **quirk** (SPEC §4.2): a specific section
 * without a URL for this operation does not hide broader ones; the search
 * falls through to them, then to the built-in default.
 */
export function lookasideFor(
  config: RegistriesConfig,
  ref: DockerReference,
  operation: LookasideOperation,
): LookasideLocation {
  const keys = operation === 'write' ? writeKeys : readKeys;
  for (const { scope, configured } of candidates(config, ref)) {
    for (const [field, key] of keys) {
      const url = configured.section[field];
      if (url !== undefined && url !== '') {
        return { url, scope, file: configured.file, key, builtIn: false };
      }
    }
  }
  return {
    url: config.builtInLookaside,
    scope: '',
    key: 'built-in default',
    builtIn: true,
  };
}

/** The section setting `use-sigstore-attachments` for `ref` (same fall-through), if any. */
export function sigstoreAttachmentsFor(
  config: RegistriesConfig,
  ref: DockerReference,
): { enabled: boolean; scope: string; file: string } | undefined {
  for (const { scope, configured } of candidates(config, ref)) {
    const value: RegistriesSection['useSigstoreAttachments'] =
      configured.section.useSigstoreAttachments;
    if (value !== undefined) {
      return { enabled: value, scope, file: configured.file };
    }
  }
  return undefined;
}

/** "lookaside-staging of scope "x" in /etc/…/a.yaml" or "the built-in default lookaside". */
export function describeLocation(location: LookasideLocation): string {
  if (location.builtIn) return `the built-in default lookaside ${location.url}`;
  const scope =
    location.scope === 'default-docker'
      ? '"default-docker"'
      : `docker scope "${location.scope}"`;
  return `${location.key} ${location.url} of ${scope} in ${location.file ?? '?'}`;
}

const schemes = new Set(['file:', 'http:', 'https:']);
const pathComponent = /^[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*$/;

/**
 * `<base>/<Path()>` (SPEC §4.3): the repository path without the registry
 * host. Validates the configured URL (scheme file/http/https) and the path
 * (reference grammar only: no `.`/`..`/empty components can reach a URL).
 */
export function lookasideRepositoryURL(
  location: LookasideLocation,
  ref: DockerReference,
): URL {
  let base: URL;
  try {
    base = new URL(location.url);
  } catch {
    throw new ImgsignError(
      'REGISTRIES_D_FORMAT',
      `invalid lookaside URL "${location.url}" (${describeLocation(location)}): a URL with a file:, http: or https: scheme is required`,
    );
  }
  if (!schemes.has(base.protocol)) {
    throw new ImgsignError(
      'REGISTRIES_D_FORMAT',
      `unsupported scheme "${base.protocol}" in lookaside URL (${describeLocation(location)}): use file:, http: or https:`,
    );
  }
  if (!ref.path.split('/').every((c) => pathComponent.test(c))) {
    throw new ImgsignError(
      'INVALID_REFERENCE',
      `repository path "${ref.path}" of ${referenceString(ref)} is not valid for a lookaside path`,
    );
  }
  // Go keeps an empty path empty where WHATWG URLs say "/": match Go.
  const configuredPath = location.url.split(/[?#]/)[0] ?? '';
  const basePath =
    base.pathname === '/' && !configuredPath.endsWith('/') ? '' : base.pathname;
  base.pathname = `${basePath}/${ref.path}`;
  return base;
}

/** `<repository URL>@<algo>=<hex>/signature-<index>` (index from 1); the digest is validated first. */
export function lookasideSignatureURL(
  repositoryURL: URL,
  manifestDigest: string,
  index: number,
): URL {
  if (!isValidDigest(manifestDigest)) {
    throw new ImgsignError(
      'UNSAFE_PATH',
      `refusing to build a lookaside path from invalid digest "${manifestDigest}"`,
    );
  }
  if (!Number.isSafeInteger(index) || index < 1) {
    throw new ImgsignError(
      'USAGE',
      `invalid signature index ${index}: counting starts at 1`,
    );
  }
  const url = new URL(repositoryURL.href);
  url.pathname = `${url.pathname}@${digestAlgorithm(manifestDigest)}=${digestHex(manifestDigest)}/signature-${index}`;
  return url;
}
