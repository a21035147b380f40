import {
  referenceString,
  type DockerReference,
} from '../reference/docker-reference.js';
import { loadRegistriesConfigFor } from '../registries-d/load.js';
import type { RegistriesConfig } from '../registries-d/load.js';
import { signatureStoreFor } from '../signature-storage/select.js';
import type { SignatureStore } from '../signature-storage/store.js';
import type { SystemContext } from '../system-context.js';
import {
  dockerSignatureStoreResolver,
  type DockerSignatureStoreResolver,
  type DockerSystemContext,
} from '../transports/docker/docker-system-context.js';

/**
 * For `imgsign verify` of registry images: make sure docker:// sources know
 * where signatures live (registries.d lookaside or the extension API, as
 * configured by `sys`), and remember, per image, which store was read, so
 * "no signature exists" can name it.
 */
export interface SignatureStoreTracking {
  /** The SystemContext to use for every image (one object: registry clients are shared per context). */
  sys: SystemContext;
  /** The store read for `ref`, in words, once its signatures were read. */
  describe(ref: DockerReference): string | undefined;
}

function defaultResolver(sys: SystemContext): DockerSignatureStoreResolver {
  let config: Promise<RegistriesConfig> | undefined;
  const d = sys as DockerSystemContext;
  return async ({ ref, sys: s }) =>
    signatureStoreFor(ref, {
      sys: s,
      registriesConfig: await (config ??= loadRegistriesConfigFor(s)),
      ...(d.dockerTlsVerify !== undefined
        ? { tlsVerify: d.dockerTlsVerify }
        : {}),
      ...(d.dockerCertDir !== undefined ? { certDir: d.dockerCertDir } : {}),
      ...(d.dockerCredentials !== undefined
        ? { credentials: d.dockerCredentials }
        : {}),
    });
}

export function trackSignatureStores(
  base: SystemContext,
): SignatureStoreTracking {
  const inner = dockerSignatureStoreResolver(base) ?? defaultResolver(base);
  const described = new Map<string, string>();
  const resolver: DockerSignatureStoreResolver = async (options) => {
    const store = await inner(options);
    if (!store) return store;
    const tracked: SignatureStore = {
      describe: (ref, digest) => store.describe(ref, digest),
      add: (ref, digest, sigs) => store.add(ref, digest, sigs),
      read: (ref, digest) => {
        described.set(referenceString(ref), store.describe(ref, digest));
        return store.read(ref, digest);
      },
    };
    return tracked;
  };
  const sys: DockerSystemContext = {
    ...base,
    dockerSignatureStoreResolver: resolver,
  };
  return { sys, describe: (ref) => described.get(referenceString(ref)) };
}
