import type { Credentials } from '../../auth/types.js';
import type { DockerReference } from '../../reference/docker-reference.js';
import type { SignatureStore } from '../../signature-storage/store.js';
import type { SystemContext } from '../../system-context.js';
import { getRegistryClient, type RegistryClient } from './registry-client.js';

/**
 * SystemContext fields the docker:// transport reads (one side of a copy:
 * cli/registry-flags.ts fills them from `--src-*` or `--dest-*`).
 */
export interface DockerSystemContext extends SystemContext {
  /** false = `--tls-verify=false`: plain http allowed, certificates not verified. */
  dockerTlsVerify?: boolean;
  /** `--cert-dir`: containers-certs.d(5) layout. */
  dockerCertDir?: string;
  /** `--creds`; when absent the auth files are consulted. */
  dockerCredentials?: Credentials;
  /** `--retry-times`. */
  dockerRetryTimes?: number;
  /** Where signatures of docker:// images live (overrides the process-wide resolver). */
  dockerSignatureStoreResolver?: DockerSignatureStoreResolver;
  /**
   * Docker Content Trust on this side (`DOCKER_CONTENT_TRUST`): set only by
   * the CLI when trust is enabled. Source side: a tag is resolved through
   * Notary and exactly that digest is copied. See copy/content-trust.ts.
   */
  dockerTrustedTagResolver?: DockerTrustedTagResolver;
  /** Destination side: signs the pushed tag in Notary (`docker push` with DCT). */
  dockerTrustedTagSigner?: DockerTrustedTagSigner;
}

/** The digest Notary vouches for a tag (SPEC §7.8). */
export interface TrustedTagResolution {
  /** Fully expanded repository name (Notary GUN). */
  gun: string;
  /** The notary server asked (`https://host[:port]`). */
  server: string;
  tag: string;
  /** `sha256:<hex>` of the signed manifest. */
  digest: string;
  /** Signed manifest size in bytes. */
  length: number;
  /** The role whose target answered: `targets/releases` or `targets`. */
  role: string;
}

/**
 * TRUSTED-TAG HOOK (source side): resolve `ref`'s tag through the trust
 * data of its repository, verified. MUST throw (never return a guess) when
 * there is no trust data, the tag is not signed by `targets/releases` or
 * `targets`, or verification fails: the copy then fails before any blob
 * moves. notary/copy-trust.ts implements it; tests pass fakes.
 */
export type DockerTrustedTagResolver = (options: {
  /** A tagged reference (never a digest). */
  ref: DockerReference;
  sys: SystemContext;
}) => Promise<TrustedTagResolution>;

/** What a trusted-tag signer published. */
export interface TrustedTagSigning {
  gun: string;
  server: string;
  tag: string;
  digest: string;
  length: number;
  /** Roles the target was added to. */
  roles: string[];
  /** Set when this signing initialized the repository and created this signer. */
  createdSigner?: string;
}

/**
 * TRUSTED-TAG HOOK (destination side): after the manifest `digest`
 * (`length` bytes) was pushed as `ref`'s tag, sign the tag in Notary.
 */
export type DockerTrustedTagSigner = (options: {
  /** A tagged reference (never a digest). */
  ref: DockerReference;
  digest: string;
  length: number;
  sys: SystemContext;
}) => Promise<TrustedTagSigning>;

/** The trusted-tag resolver `sys` carries (content trust on), if any. */
export function dockerTrustedTagResolver(
  sys: SystemContext,
): DockerTrustedTagResolver | undefined {
  return (sys as DockerSystemContext).dockerTrustedTagResolver;
}

/** The trusted-tag signer `sys` carries (content trust on), if any. */
export function dockerTrustedTagSigner(
  sys: SystemContext,
): DockerTrustedTagSigner | undefined {
  return (sys as DockerSystemContext).dockerTrustedTagSigner;
}

/**
 * SIGNATURE-STORAGE HOOK: chooses the store (registries.d lookaside or the
 * extension API through `client`) for a registry image. Undefined = none
 * configured: reading gives no signatures, writing fails.
 */
export type DockerSignatureStoreResolver = (options: {
  ref: DockerReference;
  client: RegistryClient;
  sys: SystemContext;
  /** True when the store will be written (lookaside write URLs differ). */
  forWriting: boolean;
}) => Promise<SignatureStore | undefined>;

let processResolver: DockerSignatureStoreResolver | undefined;

/** Install the process-wide resolver (signature-storage registers itself here). */
export function setDockerSignatureStoreResolver(
  resolver: DockerSignatureStoreResolver | undefined,
): void {
  processResolver = resolver;
}

export function dockerSignatureStoreResolver(
  sys: SystemContext,
): DockerSignatureStoreResolver | undefined {
  return (
    (sys as DockerSystemContext).dockerSignatureStoreResolver ?? processResolver
  );
}

/**
 * The store of `ref`'s signatures, chosen by the resolver `sys` (or the
 * process) has installed: every reader and writer of docker:// signatures
 * asks here, so a copy, its dry run and the signatures commands agree.
 * Undefined when no resolver is installed or none applies to `ref`.
 */
export async function dockerSignatureStore(options: {
  ref: DockerReference;
  client: RegistryClient;
  sys: SystemContext;
  forWriting: boolean;
}): Promise<SignatureStore | undefined> {
  const resolver = dockerSignatureStoreResolver(options.sys);
  return resolver ? resolver(options) : undefined;
}

/** The registry client for `ref`'s registry with the side's TLS/credential settings. */
export function registryClientFor(
  ref: DockerReference,
  sys: SystemContext,
): RegistryClient {
  const d = sys as DockerSystemContext;
  return getRegistryClient({
    registry: ref.domain,
    sys,
    ...(d.dockerTlsVerify !== undefined
      ? { tlsVerify: d.dockerTlsVerify }
      : {}),
    ...(d.dockerCertDir !== undefined ? { certDir: d.dockerCertDir } : {}),
    ...(d.dockerCredentials !== undefined
      ? { credentials: d.dockerCredentials }
      : {}),
    ...(d.dockerRetryTimes !== undefined
      ? { retryTimes: d.dockerRetryTimes }
      : {}),
  });
}
