import { randomBytes } from 'node:crypto';
import { link, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ImgsignError, describeError } from '../errors.js';
import { manifestDigest } from '../manifest/digest.js';
import {
  recordingResolver,
  storeKind,
  withSignatureStoreResolver,
} from '../signature-storage/docker-resolver.js';
import { MAX_SIGNATURE_BYTES } from '../signature/blob.js';
import type { SystemContext } from '../system-context.js';
import { signatureFile } from '../transports/dir/paths.js';
import { DirReference } from '../transports/dir/transport.js';
import { DockerImageReference } from '../transports/docker/docker-transport.js';
import {
  dockerSignatureStore,
  dockerSignatureStoreResolver,
  registryClientFor,
} from '../transports/docker/docker-system-context.js';
import { closeRegistryClients } from '../transports/docker/registry-client.js';
import type { ImageReference } from '../transports/types.js';
import { transportString } from '../transports/types.js';

/** An image's current manifest and its signatures, with the store they came from. */
export interface ImageSignatures {
  image: string;
  manifest: Buffer;
  digest: string;
  signatures: Buffer[];
  /** Kind of store: `lookaside`, `extension-api` or `dir`. */
  storeKind: string;
  /** The store in words (URL or path). */
  store: string;
}

/** Where a signature for one of these images is stored (as copy --sign-by does). */
export interface StoredSignature {
  storeKind: string;
  store: string;
  /** URL or path of the new signature; undefined when the same bytes were already there. */
  location?: string;
}

/** Throws unless `ref`'s transport can carry simple signatures (dir:, docker://; SPEC §6). */
export function assertCarriesSignatures(ref: ImageReference): void {
  if (!(ref instanceof DirReference) && !(ref instanceof DockerImageReference))
    throw unsupported(ref);
}

function unsupported(ref: ImageReference): ImgsignError {
  return new ImgsignError(
    'UNSUPPORTED',
    `${transportString(ref)}: the ${ref.transport.name} transport cannot carry simple signatures (only dir: and docker:// images can)`,
  );
}

/**
 * `sys` with the registries.d/extension API resolver installed and a way to
 * close the registry clients it creates. Call done() when finished.
 */
export function signatureContext(sys: SystemContext): {
  sys: SystemContext;
  done(): Promise<void>;
} {
  const resolver =
    dockerSignatureStoreResolver(sys) ?? recordingResolver().resolver;
  const withResolver = withSignatureStoreResolver(sys, resolver);
  return {
    sys: withResolver,
    done: () => closeRegistryClients(withResolver).catch(() => undefined),
  };
}

/** The image's top-level manifest (never layers) and its digest. */
export async function readImageManifest(
  ref: ImageReference,
  sys: SystemContext,
): Promise<{ manifest: Buffer; digest: string }> {
  const src = await ref.newImageSource(sys);
  try {
    const m = await src.getManifest();
    return { manifest: m.bytes, digest: manifestDigest(m.bytes) };
  } finally {
    await src.close();
  }
}

/** The signatures of `ref`'s current manifest, read as `copy` and `verify` would. */
export async function readImageSignatures(
  ref: ImageReference,
  sys: SystemContext,
): Promise<ImageSignatures> {
  if (!(ref instanceof DirReference) && !(ref instanceof DockerImageReference))
    throw unsupported(ref);
  const src = await ref.newImageSource(sys);
  try {
    const m = await src.getManifest();
    const digest = manifestDigest(m.bytes);
    const signatures = await src.getSignatures();
    const where = await signatureLocation(ref, digest, sys, false);
    return {
      image: transportString(ref),
      manifest: m.bytes,
      digest,
      signatures,
      ...where,
    };
  } finally {
    await src.close();
  }
}

async function signatureLocation(
  ref: DirReference | DockerImageReference,
  digest: string,
  sys: SystemContext,
  forWriting: boolean,
): Promise<{ storeKind: string; store: string }> {
  if (ref instanceof DirReference) {
    return {
      storeKind: 'dir',
      store: `dir ${pathToFileURL(resolve(ref.path)).href}`,
    };
  }
  const store = await storeFor(ref, sys, forWriting);
  return {
    storeKind: storeKind(store),
    store: store.describe(ref.ref, digest),
  };
}

async function storeFor(
  ref: DockerImageReference,
  sys: SystemContext,
  forWriting: boolean,
) {
  const store = await dockerSignatureStore({
    ref: ref.ref,
    client: registryClientFor(ref.ref, sys),
    sys,
    forWriting,
  });
  if (!store) {
    throw new ImgsignError(
      'UNSUPPORTED',
      `no signature store for ${transportString(ref)}: the registry has no signature extension and no registries.d lookaside applies`,
    );
  }
  return store;
}

/**
 * Store one more signature for the manifest `digest` of `ref`, where
 * `copy --sign-by` would: the registry's lookaside or extension API, or the
 * next free `signature-N` of a dir: image (created exclusively, so
 * concurrent writers never overwrite one another). WARNING: the caller
 * checks the signature first (signatures attach does).
 */
export async function storeSignature(
  ref: ImageReference,
  digest: string,
  signature: Buffer,
  sys: SystemContext,
): Promise<StoredSignature> {
  if (ref instanceof DockerImageReference) {
    const store = await storeFor(ref, sys, true);
    const [location] = await store.add(ref.ref, digest, [signature]);
    return {
      storeKind: storeKind(store),
      store: store.describe(ref.ref, digest),
      ...(location !== undefined ? { location } : {}),
    };
  }
  if (!(ref instanceof DirReference)) throw unsupported(ref);
  const dir = resolve(ref.path);
  const where = { storeKind: 'dir', store: `dir ${pathToFileURL(dir).href}` };
  const src = await ref.newImageSource(sys);
  let existing: Buffer[];
  try {
    const top = manifestDigest((await src.getManifest()).bytes);
    if (top !== digest) {
      throw new ImgsignError(
        'DIGEST_MISMATCH',
        `${transportString(ref)} now has manifest digest ${top}, not ${digest}`,
      );
    }
    existing = await src.getSignatures();
  } finally {
    await src.close();
  }
  if (existing.some((e) => e.equals(signature))) return where;
  if (signature.length > MAX_SIGNATURE_BYTES) {
    throw new ImgsignError(
      'INVALID_SIGNATURE',
      `signature is larger than ${MAX_SIGNATURE_BYTES} bytes`,
    );
  }
  const tmp = join(dir, `.tmp-signature-${randomBytes(8).toString('hex')}`);
  await writeFile(tmp, signature, { flag: 'wx', mode: 0o644 });
  try {
    for (let n = existing.length + 1; ; n++) {
      const target = join(dir, signatureFile(n));
      try {
        await link(tmp, target);
        return { ...where, location: target };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new ImgsignError(
            'INCONCLUSIVE',
            `writing ${target}: ${describeError(err)}`,
            { cause: err },
          );
        }
      }
    }
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}
