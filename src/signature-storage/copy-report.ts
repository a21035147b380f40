import type { CopyResult } from '../copy/types.js';
import type { DockerReference } from '../reference/docker-reference.js';
import { DirReference } from '../transports/dir/transport.js';
import { signatureFile } from '../transports/dir/paths.js';
import { DockerImageReference } from '../transports/docker/docker-transport.js';
import {
  dockerSignatureStore,
  registryClientFor,
} from '../transports/docker/docker-system-context.js';
import type { SystemContext } from '../system-context.js';
import type { ImageReference } from '../transports/types.js';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { storeKind, type SignatureStoreAccess } from './docker-resolver.js';
import type { SignatureStore } from './store.js';

/**
 * Where a copy writes (or, for --dry-run, would write) signatures: one
 * entry per manifest that gets signatures, with the store kind and the
 * URL or path of each written signature.
 */
export interface SignatureWrite {
  /** Manifest digest the signatures are for. */
  digest: string;
  kind: 'lookaside' | 'extension-api' | 'dir';
  /** The store in words (lookaside/extension API URL, dir: path). */
  store: string;
  /** Signatures handed to the store for this manifest (carried + created). */
  count: number;
  /** Where new signatures went (URLs or paths); for a dry run, [] unless known ahead (dir:). */
  locations: string[];
}

/** Manifests of `result` that carry signatures: the top one, then list instances. */
export function signedManifests(
  result: CopyResult,
): { digest: string; instance: boolean; count: number }[] {
  const instCount = result.instances.reduce(
    (n, i) => n + i.signaturesCarried + i.signaturesCreated,
    0,
  );
  const out = [];
  const topCount = result.signaturesWritten - instCount;
  if (topCount > 0) {
    out.push({
      digest: result.manifestDigest,
      instance: false,
      count: topCount,
    });
  }
  for (const i of result.instances) {
    const count = i.signaturesCarried + i.signaturesCreated;
    if (count > 0) out.push({ digest: i.digest, instance: true, count });
  }
  return out;
}

function dirWrites(result: CopyResult, dest: DirReference): SignatureWrite[] {
  const dir = resolve(dest.path);
  return signedManifests(result).map((m) => {
    const locations = Array.from({ length: m.count }, (_, k) =>
      join(dir, signatureFile(k + 1, m.instance ? m.digest : undefined)),
    );
    return {
      digest: m.digest,
      kind: 'dir',
      store: `dir ${pathToFileURL(dir).href}`,
      count: m.count,
      locations,
    };
  });
}

/**
 * After a copy: where its signatures went. docker:// destinations report
 * what the recording resolver saw (`writes`); dir: the signature-N files
 * (a dir: image's signature list is rewritten whole).
 */
export function signatureWritesOfCopy(
  result: CopyResult,
  destination: ImageReference,
  writes: SignatureStoreAccess[],
): SignatureWrite[] {
  if (destination instanceof DirReference)
    return dirWrites(result, destination);
  const counts = new Map(signedManifests(result).map((m) => [m.digest, m]));
  return writes.map((w) => ({
    digest: w.digest,
    kind: w.kind,
    store: w.store,
    count: counts.get(w.digest)?.count ?? w.locations.length,
    locations: w.locations,
  }));
}

/**
 * For --dry-run: where the signatures of `result` would be written, found
 * as the copy would (docker://: the registry is pinged for the extension
 * API, else the registries.d lookaside for writing), without writing.
 */
export async function plannedSignatureWrites(
  result: CopyResult,
  destination: ImageReference,
  sys: SystemContext,
): Promise<SignatureWrite[]> {
  const manifests = signedManifests(result);
  if (manifests.length === 0) return [];
  if (destination instanceof DirReference)
    return dirWrites(result, destination);
  if (!(destination instanceof DockerImageReference)) return [];
  const ref = destination.ref;
  const store = await writingStore(ref, sys);
  if (!store) return [];
  const kind = storeKind(store);
  return manifests.map((m) => ({
    digest: m.digest,
    kind,
    store: store.describe(ref, m.digest),
    count: m.count,
    locations: [],
  }));
}

/**
 * Before a copy that signs moves anything: fail now, with add()'s message,
 * when the destination's signature store certainly cannot be written
 * (docker:// with an http or unwritable file lookaside). Other
 * destinations are checked by the copy itself.
 */
export async function assertSignaturesWritable(
  destination: ImageReference,
  sys: SystemContext,
): Promise<void> {
  if (!(destination instanceof DockerImageReference)) return;
  const ref = destination.ref;
  const store = await writingStore(ref, sys);
  await store?.assertWritable?.(ref);
}

/** The store a copy to `ref` would write signatures to, found as the copy finds it. */
function writingStore(
  ref: DockerReference,
  sys: SystemContext,
): Promise<SignatureStore | undefined> {
  return dockerSignatureStore({
    ref,
    client: registryClientFor(ref, sys),
    sys,
    forWriting: true,
  });
}
