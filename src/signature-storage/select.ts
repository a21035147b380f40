import type { Credentials } from '../auth/types.js';
import type { DockerReference } from '../reference/docker-reference.js';
import type { RegistriesConfig } from '../registries-d/load.js';
import type { SystemContext } from '../system-context.js';
import { getRegistryClient } from '../transports/docker/registry-client.js';
import { ExtensionAPIStore, type SignatureAPIClient } from './extension-api.js';
import { LookasideStore } from './lookaside.js';
import type { SignatureStore } from './store.js';

export interface SignatureStoreOptions {
  sys: SystemContext;
  registriesConfig: RegistriesConfig;
  tlsVerify?: boolean;
  certDir?: string;
  credentials?: Credentials;
}

/** A registry client that can also ping (transports/docker/registry-client.ts). */
export interface PingingClient extends SignatureAPIClient {
  ping(): Promise<{ supportsSignatures: boolean }>;
}

export interface SignatureStoreForClientOptions {
  /** The client for `ref`'s registry, with that side's TLS settings and credentials. */
  client: PingingClient;
  sys: SystemContext;
  /** Loaded only when the lookaside is needed. */
  registriesConfig: RegistriesConfig | (() => Promise<RegistriesConfig>);
}

/**
 * Where `ref`'s signatures live (SPEC §4.3, §5): the registry's signature
 * extension API when its `GET /v2/` answer carries
 * `X-Registry-Supports-Signatures: 1`, else the registries.d lookaside
 * (possibly the built-in default). Pings the registry; a failed ping is an
 * error, never a silent fallback to the lookaside.
 */
export async function signatureStoreForClient(
  _ref: DockerReference,
  options: SignatureStoreForClientOptions,
): Promise<SignatureStore> {
  const { supportsSignatures } = await options.client.ping();
  if (supportsSignatures) return new ExtensionAPIStore(options.client);
  const config =
    typeof options.registriesConfig === 'function'
      ? await options.registriesConfig()
      : options.registriesConfig;
  return new LookasideStore({ config, sys: options.sys });
}

/** signatureStoreForClient with a registry client built from `options` (shared per `sys`). */
export async function signatureStoreFor(
  ref: DockerReference,
  options: SignatureStoreOptions,
): Promise<SignatureStore> {
  const client = getRegistryClient({
    registry: ref.domain,
    sys: options.sys,
    ...(options.tlsVerify !== undefined
      ? { tlsVerify: options.tlsVerify }
      : {}),
    ...(options.certDir !== undefined ? { certDir: options.certDir } : {}),
    ...(options.credentials !== undefined
      ? { credentials: options.credentials }
      : {}),
  });
  return signatureStoreForClient(ref, {
    client,
    sys: options.sys,
    registriesConfig: options.registriesConfig,
  });
}
