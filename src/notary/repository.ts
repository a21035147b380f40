/**
 * From a docker reference to its Notary repository (SPEC §7.5, §7.9): the
 * GUN (fully expanded name), the notary server URL, the HTTP store with
 * docker's TLS and the registry's credentials for token auth, and the file
 * trust cache; then the verified trust data (SPEC §7.6).
 *
 * Library API for `trust inspect`, the publish commands and `copy`: every
 * input (server override, trust directory, docker config directory) is an
 * explicit option; only cli/ reads DOCKER_CONTENT_TRUST_SERVER and friends.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { lookupCredentials } from '../auth/credentials.js';
import type { Credentials } from '../auth/types.js';
import { ImgsignError } from '../errors.js';
import {
  DEFAULT_DOMAIN,
  parseNormalizedNamed,
  referenceName,
  referenceString,
  type DockerReference,
} from '../reference/docker-reference.js';
import type { SystemContext } from '../system-context.js';
import type { NotaryTLSOptions } from './http-dispatcher.js';
import { NotaryHTTPStore } from './http-store.js';
import type { MetadataSource } from './metadata-source.js';
import { FileTrustCache } from './trust-cache.js';
import { resolveDockerTag, type ResolvedTag } from './tuf/delegations.js';
import { updateTrustData, type TrustedRepository } from './tuf/update.js';

/** Docker Hub's notary server. */
export const DOCKER_HUB_NOTARY_SERVER = 'https://notary.docker.io';

/**
 * The notary server for a registry host: `override` (DOCKER_CONTENT_TRUST_SERVER,
 * must be https), else https://notary.docker.io for docker.io, else
 * https://<registry host>.
 */
export function notaryServerURL(registry: string, override?: string): string {
  if (override !== undefined && override !== '') {
    let url: URL;
    try {
      url = new URL(override);
    } catch {
      throw new ImgsignError(
        'USAGE',
        `notary server "${override}" (DOCKER_CONTENT_TRUST_SERVER) is not a URL: use https://host[:port]`,
      );
    }
    if (url.protocol !== 'https:') {
      throw new ImgsignError(
        'USAGE',
        `valid https URL required for trust server, got ${override} (DOCKER_CONTENT_TRUST_SERVER)`,
      );
    }
    if (url.pathname !== '/' || url.search !== '' || url.username !== '') {
      throw new ImgsignError(
        'USAGE',
        `notary server "${override}" (DOCKER_CONTENT_TRUST_SERVER) must be only https://host[:port] (no path, query or credentials)`,
      );
    }
    return url.origin;
  }
  if (registry === DEFAULT_DOMAIN) return DOCKER_HUB_NOTARY_SERVER;
  return `https://${registry}`;
}

/** The GUN of a reference: its fully expanded name, e.g. `docker.io/library/busybox`. */
export function gunOf(ref: DockerReference): string {
  return referenceName(ref);
}

export interface NotaryRepositoryOptions {
  /** The image (`busybox`, `example.com/a/b:tag`); tag/digest are kept but not part of the GUN. */
  reference: DockerReference | string;
  /** The trust directory (`$DOCKER_CONFIG/trust`): its `tuf/` holds the metadata cache. */
  trustDir: string;
  sys: SystemContext;
  /** DOCKER_CONTENT_TRUST_SERVER, if set. */
  serverOverride?: string;
  /**
   * TLS for the server. Default (docker's): the server certificate is checked
   * against the system roots plus `<sys.dockerConfigDir>/tls/<server host>/`
   * (`*.crt` CAs, `*.cert`/`*.key` client pair) when that directory exists.
   */
  tls?: NotaryTLSOptions;
  /** Registry credentials for the token server; default: the auth files of `sys` for the registry. */
  credentials?: Credentials;
  /** TESTS ONLY: allow an http:// server (passed to NotaryHTTPStore). */
  insecureAllowHTTP?: boolean;
}

/** An opened Notary repository. Call close() when done. */
export interface NotaryRepository {
  reference: DockerReference;
  gun: string;
  /** `https://host[:port]` */
  serverURL: string;
  store: NotaryHTTPStore;
  cache: FileTrustCache;
  sys: SystemContext;
  close(): Promise<void>;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** Resolve the GUN, server, TLS, credentials and cache of `o.reference`; no network yet. */
export async function openNotaryRepository(
  o: NotaryRepositoryOptions,
): Promise<NotaryRepository> {
  const reference =
    typeof o.reference === 'string'
      ? parseNormalizedNamed(o.reference)
      : o.reference;
  const gun = gunOf(reference);
  const serverURL = o.insecureAllowHTTP
    ? (o.serverOverride ?? notaryServerURL(reference.domain))
    : notaryServerURL(reference.domain, o.serverOverride);
  let tls: NotaryTLSOptions = o.tls ?? {};
  if (
    tls.caFile === undefined &&
    tls.certDir === undefined &&
    o.sys.dockerConfigDir !== undefined
  ) {
    const dir = join(o.sys.dockerConfigDir, 'tls', new URL(serverURL).host);
    if (await isDirectory(dir)) tls = { ...tls, certDir: dir };
  }
  const credentials =
    o.credentials ??
    (await lookupCredentials(o.sys, reference.domain, reference.path));
  const store = new NotaryHTTPStore({
    ...tls,
    serverURL,
    sys: o.sys,
    ...(credentials ? { credentials } : {}),
    ...(o.insecureAllowHTTP ? { insecureAllowHTTP: true } : {}),
  });
  return {
    reference,
    gun,
    serverURL: store.serverURL,
    store,
    cache: new FileTrustCache(o.trustDir),
    sys: o.sys,
    close: () => store.close(),
  };
}

export interface ReadTrustedOptions {
  /** Current time for expiry checks (default: `sys.now()` or the clock). */
  now?: Date;
  /** Skipped delegations and a cached-timestamp fallback are reported here. */
  warn?: (message: string) => void;
  /** Read metadata from here instead of `repo.store` (tests, fault proxies). */
  source?: MetadataSource;
}

/**
 * Update the cache from the server and return the verified trust data
 * (SPEC §7.6). Throws TrustError ('missing' when the repository has no
 * trust data; 'rollback', 'expired', 'signature', … when it is refused)
 * or the store's errors (server unavailable).
 */
export async function readTrustedRepository(
  repo: NotaryRepository,
  o: ReadTrustedOptions = {},
): Promise<TrustedRepository> {
  return updateTrustData({
    gun: repo.gun,
    source: o.source ?? repo.store,
    cache: repo.cache,
    now: o.now ?? repo.sys.now?.() ?? new Date(),
    ...(o.warn ? { warn: o.warn } : {}),
  });
}

export type ResolveTrustedTagOptions = NotaryRepositoryOptions &
  ReadTrustedOptions & {
    /** The tag to resolve; default: the reference's tag, else `latest`. */
    tag?: string;
  };

/**
 * Docker's pull-time lookup (SPEC §7.8): open the repository, update and
 * verify it, and return the digest `targets/releases` or `targets` signs
 * for the tag. Throws TrustError 'not-found' ("No valid trust data for
 * <tag>") when neither role signs it, and a usage error for a reference
 * that is already pinned by digest.
 */
export async function resolveTrustedTag(
  o: ResolveTrustedTagOptions,
): Promise<ResolvedTag & { gun: string }> {
  const repo = await openNotaryRepository(o);
  try {
    if (repo.reference.digest !== undefined && o.tag === undefined) {
      throw new ImgsignError(
        'USAGE',
        `${referenceString(repo.reference)}: a digest reference needs no trust lookup; give a tag`,
      );
    }
    const tag = o.tag ?? repo.reference.tag ?? 'latest';
    const trusted = await readTrustedRepository(repo, o);
    return {
      gun: repo.gun,
      ...resolveDockerTag(trusted.verified, repo.gun, tag),
    };
  } finally {
    await repo.close();
  }
}
