import { referenceString } from '../reference/docker-reference.js';
import type { DockerReference } from '../reference/docker-reference.js';
import { loadRegistriesConfigFor } from '../registries-d/load.js';
import type { RegistriesConfig } from '../registries-d/load.js';
import type { SystemContext } from '../system-context.js';
import type {
  DockerSignatureStoreResolver,
  DockerSystemContext,
} from '../transports/docker/docker-system-context.js';
import { ExtensionAPIStore } from './extension-api.js';
import { signatureStoreForClient } from './select.js';
import type { SignatureStore } from './store.js';

/** Which kind of store a docker:// image's signatures went to or came from. */
export type SignatureStoreKind = 'lookaside' | 'extension-api';

/** One signature store access, as recorded by a tracking resolver. */
export interface SignatureStoreAccess {
  /** `registry/repo:tag` (or `@digest`) of the image. */
  image: string;
  /** Manifest digest the signatures belong to. */
  digest: string;
  kind: SignatureStoreKind;
  /** The store in words ("lookaside file:///…/repo@sha256=…/", "extension API https://…"). */
  store: string;
  /** For writes: where each new signature went (URL); [] when all were already there. */
  locations: string[];
  /** For reads: how many signatures were found. */
  count?: number;
}

/** A store that says what it is (the recording wrapper keeps its inner store's kind). */
interface KindedStore extends SignatureStore {
  readonly kind: SignatureStoreKind;
}

export function storeKind(store: SignatureStore): SignatureStoreKind {
  if (store instanceof ExtensionAPIStore) return 'extension-api';
  return (store as Partial<KindedStore>).kind ?? 'lookaside';
}

/**
 * THE resolver for docker:// signatures (SPEC §4, §5), used by copy, verify
 * and the signatures commands: the extension API when the registry
 * advertises it (pinged through the transport's own client, so each copy
 * side keeps its TLS settings and credentials), else the registries.d
 * lookaside of `sys.registriesDirPath` (or the default directory). The
 * registries.d directory is read once per resolver and directory.
 */
export function registriesDResolver(): DockerSignatureStoreResolver {
  const configs = new Map<string, Promise<RegistriesConfig>>();
  const configFor = (sys: SystemContext): Promise<RegistriesConfig> => {
    const key = sys.registriesDirPath ?? '';
    let config = configs.get(key);
    if (!config) {
      config = loadRegistriesConfigFor(sys);
      configs.set(key, config);
      // A failed load is reported once; the next call retries.
      config.catch(() => configs.delete(key));
    }
    return config;
  };
  return async ({ ref, client, sys }) =>
    signatureStoreForClient(ref, {
      client,
      sys,
      registriesConfig: () => configFor(sys),
    });
}

/** Records every signature read and write going through a resolver. */
export interface SignatureStoreRecorder {
  resolver: DockerSignatureStoreResolver;
  reads: SignatureStoreAccess[];
  writes: SignatureStoreAccess[];
  /** The store last read for `ref` (any digest), in words. */
  describeRead(ref: DockerReference): string | undefined;
}

/** Wrap `inner` (default: registriesDResolver()) to record where signatures were read and written. */
export function recordingResolver(
  inner: DockerSignatureStoreResolver = registriesDResolver(),
): SignatureStoreRecorder {
  const reads: SignatureStoreAccess[] = [];
  const writes: SignatureStoreAccess[] = [];
  const lastRead = new Map<string, string>();
  const resolver: DockerSignatureStoreResolver = async (options) => {
    const store = await inner(options);
    if (!store) return store;
    const kind = storeKind(store);
    const wrapped: KindedStore = {
      kind,
      describe: (ref, digest) => store.describe(ref, digest),
      read: async (ref, digest) => {
        const where = store.describe(ref, digest);
        lastRead.set(referenceString(ref), where);
        const sigs = await store.read(ref, digest);
        reads.push({
          image: referenceString(ref),
          digest,
          kind,
          store: where,
          locations: [],
          count: sigs.length,
        });
        return sigs;
      },
      add: async (ref, digest, sigs) => {
        const locations = await store.add(ref, digest, sigs);
        writes.push({
          image: referenceString(ref),
          digest,
          kind,
          store: store.describe(ref, digest),
          locations,
        });
        return locations;
      },
      ...(store.assertWritable
        ? { assertWritable: (ref) => store.assertWritable!(ref) }
        : {}),
    };
    return wrapped;
  };
  return {
    resolver,
    reads,
    writes,
    describeRead: (ref) => lastRead.get(referenceString(ref)),
  };
}

/** `sys` with `resolver` installed for docker:// images (other fields kept). */
export function withSignatureStoreResolver(
  sys: SystemContext,
  resolver: DockerSignatureStoreResolver,
): SystemContext {
  const d: DockerSystemContext = {
    ...sys,
    dockerSignatureStoreResolver: resolver,
  };
  return d;
}
