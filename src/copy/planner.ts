import { ImgsignError } from '../errors.js';
import { convertImageManifest, rebuildList } from '../manifest/convert.js';
import type { InstanceUpdate } from '../manifest/convert.js';
import { manifestDigest } from '../manifest/digest.js';
import { parseManifest } from '../manifest/parse.js';
import type { ImageManifest, ManifestList } from '../manifest/parse.js';
import type {
  ImageDestination,
  ImageSource,
  ManifestBlob,
} from '../transports/types.js';
import { transportString } from '../transports/types.js';
import type { SourceImage } from './copy.js';
import {
  decideImageType,
  decideListType,
  formatMediaType,
} from './manifest-type.js';
import type { CopiedBlob, CopyOptions, CopyResult } from './types.js';

/** A manifest as it will be written, with the signatures that go with it. */
export interface PlannedManifest {
  bytes: Buffer;
  mediaType: string;
  digest: string;
  sourceDigest: string;
  converted: boolean;
  /** Carried first, then created by signers. */
  signatures: Buffer[];
  carried: number;
  created: number;
}

export interface PlannedImage extends PlannedManifest {
  parsed: ImageManifest;
  platform?: string;
}

export interface CopyPlan {
  images: PlannedImage[];
  list?: PlannedManifest;
  result(blobs: CopiedBlob[], dryRun: boolean): CopyResult;
}

function wouldInvalidate(dest: string, why: string): ImgsignError {
  return new ImgsignError(
    'USAGE',
    `Can not copy signatures to ${dest}: ${why} would invalidate them; use --remove-signatures to copy without them`,
  );
}

/**
 * Decide, before anything moves, what each manifest becomes at the
 * destination and which signatures travel; refuse combinations that would
 * drop or invalidate signatures silently (SPEC §6).
 */
export async function planCopy(
  src: ImageSource,
  dest: ImageDestination,
  images: SourceImage[],
  list: { blob: ManifestBlob; parsed: ManifestList } | undefined,
  options: CopyOptions,
): Promise<CopyPlan> {
  const destName = transportString(options.destination);
  const supported = dest.supportedManifestMediaTypes();
  const pinned = options.destination.dockerReference()?.digest;
  const signers = options.signers?.length ?? 0;
  const destSigns = await dest.supportsSignatures();
  let wanted = formatMediaType(options.format);
  const listDecision = list
    ? decideListType(list.parsed.mediaType, wanted, supported, destName)
    : undefined;
  if (listDecision) wanted = listDecision.instanceType;

  const checkSignatures = (carried: number, willSign: boolean): void => {
    if ((carried > 0 || willSign) && !destSigns) {
      throw new ImgsignError(
        'UNSUPPORTED',
        `Can not copy signatures to ${destName}: the destination does not store simple signatures${carried > 0 ? ' (use --remove-signatures to copy without them)' : ''}`,
      );
    }
  };

  const planned: PlannedImage[] = [];
  for (const img of images) {
    const name = `manifest ${img.digest} of ${transportString(options.source)}`;
    const parsed = parseManifest(
      img.manifest.bytes,
      img.manifest.mediaType,
      name,
    );
    if (parsed.kind !== 'image') {
      throw new ImgsignError(
        'INVALID_MANIFEST',
        `${name}: a manifest list inside a manifest list is not supported`,
      );
    }
    const carried = options.removeSignatures
      ? []
      : await src.getSignatures(img.instanceDigest);
    const decision = decideImageType(
      parsed.mediaType,
      wanted,
      supported,
      destName,
    );
    let bytes = img.manifest.bytes;
    if (decision.convert) {
      const why = `converting the manifest to ${decision.target}`;
      if (carried.length > 0) throw wouldInvalidate(destName, why);
      if (pinned !== undefined) {
        throw new ImgsignError(
          'USAGE',
          `cannot convert the manifest for ${destName}: the destination names digest ${pinned}`,
        );
      }
      bytes = convertImageManifest(parsed, decision.target);
    }
    checkSignatures(
      carried.length,
      signers > 0 && !(list && options.signListOnly),
    );
    planned.push({
      bytes,
      mediaType: decision.target,
      digest: decision.convert ? manifestDigest(bytes) : img.digest,
      sourceDigest: img.digest,
      converted: decision.convert,
      signatures: [...carried],
      carried: carried.length,
      created: 0,
      parsed,
      ...(img.platform !== undefined ? { platform: img.platform } : {}),
    });
  }

  let plannedList: PlannedManifest | undefined;
  if (list && listDecision) {
    const carried = options.removeSignatures ? [] : await src.getSignatures();
    const sourceDigest = manifestDigest(list.blob.bytes);
    const changed =
      listDecision.target !== list.parsed.mediaType ||
      planned.some((p) => p.converted);
    let bytes = list.blob.bytes;
    if (changed) {
      if (carried.length > 0)
        throw wouldInvalidate(
          destName,
          `rewriting the manifest list as ${listDecision.target}`,
        );
      const updates = new Map<string, InstanceUpdate>(
        planned.map((p) => [
          p.sourceDigest,
          { digest: p.digest, size: p.bytes.length, mediaType: p.mediaType },
        ]),
      );
      bytes = rebuildList(list.parsed, listDecision.target, updates);
    }
    checkSignatures(carried.length, signers > 0);
    plannedList = {
      bytes,
      mediaType: listDecision.target,
      digest: changed ? manifestDigest(bytes) : sourceDigest,
      sourceDigest,
      converted: changed,
      signatures: [...carried],
      carried: carried.length,
      created: 0,
    };
  }

  const top: PlannedManifest = plannedList ?? (planned[0] as PlannedManifest);
  if (pinned !== undefined && top.digest !== pinned) {
    throw new ImgsignError(
      'DIGEST_MISMATCH',
      `the manifest copied to ${destName} would have digest ${top.digest}, not ${pinned}`,
    );
  }
  return {
    images: planned,
    ...(plannedList ? { list: plannedList } : {}),
    result(blobs, dryRun): CopyResult {
      const all: PlannedManifest[] = plannedList
        ? [...planned, plannedList]
        : planned;
      const carried = all.reduce((n, m) => n + m.carried, 0);
      const created = all.reduce((n, m) => n + m.created, 0);
      return {
        source: transportString(options.source),
        destination: destName,
        sourceManifestDigest: top.sourceDigest,
        manifestDigest: top.digest,
        manifestMediaType: top.mediaType,
        digestChanged: top.digest !== top.sourceDigest,
        blobs,
        instances: plannedList
          ? planned.map((p) => ({
              sourceDigest: p.sourceDigest,
              digest: p.digest,
              mediaType: p.mediaType,
              ...(p.platform !== undefined ? { platform: p.platform } : {}),
              signaturesCarried: p.carried,
              signaturesCreated: p.created,
            }))
          : [],
        signaturesCarried: carried,
        signaturesCreated: created,
        signaturesWritten: carried + created,
        dryRun,
      };
    },
  };
}
