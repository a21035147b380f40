import { describeError, ImgsignError } from '../errors.js';
import { manifestDigest } from '../manifest/digest.js';
import { isManifestListType } from '../manifest/media-types.js';
import { parseManifest } from '../manifest/parse.js';
import {
  referenceName,
  referenceString,
} from '../reference/docker-reference.js';
import { closeRegistryClients } from '../transports/docker/registry-client.js';
import {
  trackSignatureStores,
  type SignatureStoreTracking,
} from './signature-store-hook.js';
import type { SystemContext } from '../system-context.js';
import { parseImageName } from '../transports/all.js';
import {
  transportString,
  type ImageReference,
  type ImageSource,
} from '../transports/types.js';
import type { PolicyContext } from './context.js';
import {
  isInconclusive,
  scopeDescription,
  type PolicyEvaluation,
  type RequirementResult,
} from './result.js';
import { cachedImage, imageFromSource } from './unparsed-image.js';

/**
 * `imgsign verify`: evaluate images against a policy, reading only their
 * manifests and signatures (never layers), and name the digest-pinned
 * reference that was checked, so that exactly that is deployed.
 */
export interface InstanceCoverage {
  digest: string;
  platform?: string;
  /** Whether the policy allows this instance on its own (its own signatures). */
  allowed: boolean;
  reason: string;
}

export interface ImageVerification {
  /** `transport:reference` as given. */
  image: string;
  /** Where the image was named (--from), if anywhere. */
  where?: string[];
  allowed: boolean;
  /** No verdict could be reached (network, I/O). */
  inconclusive: boolean;
  /** The policy section used, e.g. `transports.docker["quay.io"]`. */
  scope?: string;
  results: RequirementResult[];
  /** Set when the image could not even be opened or evaluated. */
  error?: string;
  manifestDigest?: string;
  /** `REPO@sha256:…` to deploy (docker references only). */
  pinnedReference?: string;
  /** Manifest lists: each instance and whether it is allowed on its own signatures. */
  instances?: InstanceCoverage[];
}

export interface VerifyImagesOptions {
  context: PolicyContext;
  sys: SystemContext;
  /** Images evaluated at once (default 16). */
  jobs?: number;
}

/** Where signatures of `ref` are looked up, in words (for "no signature exists" messages). */
function signatureSourceOf(
  ref: ImageReference,
  tracking: SignatureStoreTracking,
): string {
  const name = ref.transport.name;
  const docker = ref.dockerReference();
  if (name === 'docker' && docker) {
    return (
      tracking.describe(docker) ??
      `the signature store of ${referenceString(docker)} (registries.d lookaside or the registry's signature API)`
    );
  }
  if (name === 'dir') return `directory ${ref.stringWithinTransport()}`;
  return `${transportString(ref)} (this transport stores no simple signatures)`;
}

function platformOf(
  p: { os?: string; architecture?: string; variant?: string } | undefined,
): string | undefined {
  if (!p) return undefined;
  return (
    [p.os, p.architecture, p.variant].filter((x) => x).join('/') || undefined
  );
}

async function instanceCoverage(
  src: ImageSource,
  list: Buffer,
  mediaType: string,
  options: VerifyImagesOptions,
  signatureSource: () => string,
): Promise<InstanceCoverage[]> {
  const parsed = parseManifest(
    list,
    mediaType,
    `manifest list of ${transportString(src.reference)}`,
  );
  if (parsed.kind !== 'list') return [];
  const out: InstanceCoverage[] = [];
  for (const inst of parsed.manifests) {
    const ev = await options.context.evaluate({
      ...imageFromSource(src, undefined, inst.digest),
      get signatureSource() {
        return signatureSource();
      },
    });
    const last = ev.results[ev.results.length - 1];
    const platform = platformOf(inst.platform);
    out.push({
      digest: inst.digest,
      ...(platform ? { platform } : {}),
      allowed: ev.allowed,
      reason: last?.reason ?? '',
    });
  }
  return out;
}

async function verifyOne(
  image: string,
  where: string[] | undefined,
  options: VerifyImagesOptions,
  tracking: SignatureStoreTracking,
): Promise<ImageVerification> {
  const base = { image, ...(where ? { where } : {}) };
  let src: ImageSource | undefined;
  try {
    const ref = parseImageName(image);
    src = await ref.newImageSource(tracking.sys);
    // A getter: the store is known only once signatures were read.
    const img = cachedImage({
      ...imageFromSource(src),
      get signatureSource() {
        return signatureSourceOf(ref, tracking);
      },
    });
    const ev: PolicyEvaluation = await options.context.evaluate(img);
    const last = ev.results[ev.results.length - 1];
    const out: ImageVerification = {
      ...base,
      allowed: ev.allowed,
      inconclusive: !ev.allowed && last?.inconclusive === true,
      scope: scopeDescription(ev.scope),
      results: ev.results,
    };
    if (ev.allowed) {
      // The bytes evaluated (cached): what was checked is what gets pinned.
      const m = await img.manifest();
      out.manifestDigest = manifestDigest(m.bytes);
      const docker = ref.dockerReference();
      if (docker && ref.transport.name === 'docker') {
        out.pinnedReference = `${referenceName(docker)}@${out.manifestDigest}`;
      }
    }
    // Multi-arch: which instances carry accepted signatures of their own
    // (reported also when the list itself is rejected).
    const list = await img.manifest().catch(() => undefined);
    if (list && isManifestListType(list.mediaType)) {
      out.instances = await instanceCoverage(
        src,
        list.bytes,
        list.mediaType,
        options,
        () => signatureSourceOf(ref, tracking),
      );
    }
    return out;
  } catch (err) {
    return {
      ...base,
      allowed: false,
      inconclusive: isInconclusive(err) || !(err instanceof ImgsignError),
      results: [],
      error: describeError(err),
    };
  } finally {
    await src?.close().catch(() => undefined);
  }
}

/** Verify every image, `jobs` at a time; results in input order. */
export async function verifyImages(
  images: { image: string; where?: string[] }[],
  options: VerifyImagesOptions,
): Promise<ImageVerification[]> {
  const results: ImageVerification[] = new Array<ImageVerification>(
    images.length,
  );
  const tracking = trackSignatureStores(options.sys);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < images.length) {
      const i = next++;
      const item = images[i];
      if (item) {
        results[i] = await verifyOne(item.image, item.where, options, tracking);
      }
    }
  };
  const jobs = Math.max(1, Math.min(options.jobs ?? 16, images.length));
  try {
    await Promise.all(Array.from({ length: jobs }, worker));
  } finally {
    await closeRegistryClients(tracking.sys).catch(() => undefined);
  }
  return results;
}
