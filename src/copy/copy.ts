import { ImgsignError } from '../errors.js';
import { manifestDigest, matchesDigest } from '../manifest/digest.js';
import { parseManifest, referencedBlobs } from '../manifest/parse.js';
import type { ManifestList } from '../manifest/parse.js';
import { chooseInstance } from '../manifest/platform.js';
import type {
  BlobInfo,
  ImageDestination,
  ImageSource,
  ManifestBlob,
} from '../transports/types.js';
import { transportString } from '../transports/types.js';
import { copyBlobs } from './blobs.js';
import {
  plannedTrustedSigning,
  resolveTrustedSource,
  signTrustedDestination,
  trustedDestination,
  trustedPolicySource,
  type CopyContentTrustReport,
} from './content-trust.js';
import { planCopy } from './planner.js';
import type { PlannedImage, CopyPlan } from './planner.js';
import type { CopyOptions, CopyResult } from './types.js';

export type * from './types.js';

/** A manifest read from the source, with the digest it is known by there. */
export interface SourceImage {
  manifest: ManifestBlob;
  digest: string;
  /** Set when this is an instance of a list (its signatures are per instance). */
  instanceDigest?: string;
  platform?: string;
}

async function readSource(
  src: ImageSource,
  options: CopyOptions,
): Promise<{
  images: SourceImage[];
  list?: { blob: ManifestBlob; parsed: ManifestList };
}> {
  const name = transportString(options.source);
  const top = await src.getManifest();
  const pinned = options.source.dockerReference()?.digest;
  if (pinned !== undefined && !matchesDigest(top.bytes, pinned)) {
    throw new ImgsignError(
      'DIGEST_MISMATCH',
      `manifest of ${name} does not match the digest ${pinned} in the reference`,
    );
  }
  const parsed = parseManifest(top.bytes, top.mediaType, `manifest of ${name}`);
  if (parsed.kind === 'image') {
    return {
      images: [{ manifest: top, digest: manifestDigest(top.bytes) }],
    };
  }
  const instances = options.all
    ? parsed.manifests
    : [chooseInstance(parsed, options.platform)];
  const images: SourceImage[] = [];
  for (const inst of instances) {
    const m = await src.getManifest(inst.digest);
    if (!matchesDigest(m.bytes, inst.digest)) {
      throw new ImgsignError(
        'DIGEST_MISMATCH',
        `instance ${inst.digest} of ${name}: manifest bytes do not match the digest in the list`,
      );
    }
    const p = inst.platform;
    images.push({
      manifest: m,
      digest: inst.digest,
      instanceDigest: inst.digest,
      ...(p
        ? {
            platform: [p.os, p.architecture, p.variant]
              .filter(Boolean)
              .join('/'),
          }
        : {}),
    });
  }
  return options.all ? { images, list: { blob: top, parsed } } : { images };
}

function uniqueBlobs(images: PlannedImage[]): {
  blobs: BlobInfo[];
  configs: Set<string>;
} {
  const seen = new Set<string>();
  const configs = new Set<string>();
  const blobs: BlobInfo[] = [];
  for (const img of images) {
    if (img.parsed.config) configs.add(img.parsed.config.digest);
    for (const b of referencedBlobs(img.parsed)) {
      if (seen.has(b.digest)) continue;
      seen.add(b.digest);
      blobs.push(b);
    }
  }
  return { blobs, configs };
}

async function sign(plan: CopyPlan, options: CopyOptions): Promise<void> {
  const signers = options.signers ?? [];
  if (signers.length === 0) return;
  const targets = plan.list
    ? options.signListOnly
      ? [plan.list]
      : [...plan.images, plan.list]
    : plan.images;
  for (const t of targets) {
    for (const s of signers) t.signatures.push(await s.sign(t.bytes, t.digest));
    t.created = signers.length;
  }
}

async function write(
  plan: CopyPlan,
  dest: ImageDestination,
  options: CopyOptions,
): Promise<void> {
  const inList = plan.list !== undefined;
  options.progress?.step?.('Writing manifest to image destination');
  for (const img of plan.images) {
    await dest.putManifest(
      { bytes: img.bytes, mediaType: img.mediaType },
      inList ? img.digest : undefined,
    );
  }
  if (plan.list)
    await dest.putManifest({
      bytes: plan.list.bytes,
      mediaType: plan.list.mediaType,
    });
  for (const img of plan.images) {
    if (img.signatures.length > 0) {
      options.progress?.step?.('Storing signatures');
      await dest.putSignatures(img.signatures, inList ? img.digest : undefined);
    }
  }
  if (plan.list && plan.list.signatures.length > 0)
    await dest.putSignatures(plan.list.signatures);
}

/** Size of the manifest the destination reference points to (list with --all, else the image). */
function topManifestLength(plan: CopyPlan): number {
  return (plan.list ?? plan.images[0])?.bytes.length ?? 0;
}

/**
 * Copy one image (or a manifest list with `all`) between transports
 * (SPEC §6, issue 3): read and check the source manifest, run the policy
 * hook, decide conversions and which signatures travel, then stream every
 * blob (verified while streaming), manifests, signatures and commit().
 * Any failure closes the destination without commit, which leaves nothing.
 */
export async function copyImage(requested: CopyOptions): Promise<CopyResult> {
  // Docker Content Trust (copy/content-trust.ts): refuse an unsignable
  // destination, then pin a tagged source to the digest Notary signs.
  const trustTarget = trustedDestination(requested);
  const trustedSource = await resolveTrustedSource(requested);
  const options: CopyOptions = { ...requested, source: trustedSource.source };
  const withTrust = (
    r: CopyResult,
    destination?: CopyContentTrustReport['destination'],
  ): CopyResult => {
    if (!trustedSource.trust && !destination) return r;
    return {
      ...r,
      source: transportString(requested.source),
      contentTrust: {
        ...(trustedSource.trust ? { source: trustedSource.trust } : {}),
        ...(destination ? { destination } : {}),
      },
    };
  };
  const src = await options.source.newImageSource(
    options.sourceSys ?? options.sys,
  );
  try {
    const { images, list } = await readSource(src, options);
    if (options.verifySource) {
      // With content trust the policy judges the tag the user gave, read
      // through the pinned digest (content-trust.ts trustedPolicySource).
      const judged = trustedSource.trust
        ? trustedPolicySource(src, requested.source, trustedSource.trust.digest)
        : src;
      if (list) await options.verifySource(judged, list.blob);
      for (const img of images)
        await options.verifySource(judged, img.manifest, img.instanceDigest);
    }
    const dest = await options.destination.newImageDestination(
      options.destinationSys ?? options.sys,
    );
    try {
      const plan = await planCopy(src, dest, images, list, options);
      const { blobs, configs } = uniqueBlobs(plan.images);
      if (!options.dryRun) {
        await sign(plan, options);
        const copied = await copyBlobs(src, dest, blobs, {
          jobs: options.jobs ?? 6,
          retryTimes: options.retryTimes ?? 0,
          configDigests: configs,
          ...(options.progress ? { progress: options.progress } : {}),
        });
        await write(plan, dest, options);
        await dest.commit();
        const result = plan.result(copied, false);
        if (!trustTarget) return withTrust(result);
        return withTrust(
          result,
          await signTrustedDestination(trustTarget, {
            destination: result.destination,
            digest: result.manifestDigest,
            length: topManifestLength(plan),
            sys: options.destinationSys ?? options.sys,
          }),
        );
      }
      const signers = options.signers?.length ?? 0;
      for (const t of plan.list
        ? options.signListOnly
          ? [plan.list]
          : [...plan.images, plan.list]
        : plan.images) {
        t.created = signers;
      }
      const planned = plan.result(
        blobs.map((b) => ({ digest: b.digest, size: b.size, reused: false })),
        true,
      );
      return withTrust(
        planned,
        trustTarget
          ? plannedTrustedSigning(
              trustTarget,
              planned.manifestDigest,
              topManifestLength(plan),
            )
          : undefined,
      );
    } finally {
      await dest.close();
    }
  } finally {
    await src.close();
  }
}
