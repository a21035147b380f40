/**
 * Docker Content Trust in a copy, as `docker pull` / `docker push` with
 * DOCKER_CONTENT_TRUST=1 do it (SPEC §7.8, §7.11). The copy library only
 * calls the hooks a docker:// side's SystemContext carries
 * (transports/docker/docker-system-context.ts); the CLI installs them
 * (notary/copy-trust.ts) when content trust is on.
 *
 * - Source: a tagged docker:// source is resolved to the digest Notary
 *   vouches for, and exactly that digest is copied (the registry's tag is
 *   never read). A digest reference is copied as given, as docker does.
 *   The policy.json check still sees the tag the user gave (see
 *   trustedPolicySource): content trust pins the bytes, it never changes
 *   which policy scope or signedIdentity applies.
 * - Destination: after the manifest was pushed and committed, the tag is
 *   signed with the pushed manifest's digest and size. A digest
 *   reference cannot be signed and is refused before anything moves.
 */
import { describeError, ImgsignError } from '../errors.js';
import { describeManifestDigest, matchesDigest } from '../manifest/digest.js';
import {
  referenceName,
  referenceString,
  withDigest,
  type DockerReference,
} from '../reference/docker-reference.js';
import {
  dockerTrustedTagResolver,
  dockerTrustedTagSigner,
  type DockerTrustedTagSigner,
  type TrustedTagResolution,
  type TrustedTagSigning,
} from '../transports/docker/docker-system-context.js';
import { newDockerImageReference } from '../transports/docker/docker-transport.js';
import type { ImageReference, ImageSource } from '../transports/types.js';
import { transportString } from '../transports/types.js';
import type { CopyOptions } from './types.js';

/** What content trust did (or, with --dry-run, would do) in a copy. */
export interface CopyContentTrustReport {
  /** The source tag resolved through Notary: the digest copied and the role that signs it. */
  source?: TrustedTagResolution;
  /** The destination tag signed in Notary after the push. */
  destination?: Partial<TrustedTagSigning> & {
    gun: string;
    tag: string;
    digest: string;
    length: number;
    /** False with --dry-run (nothing published). */
    signed: boolean;
  };
}

const SHA256_DIGEST = /^sha256:[0-9a-f]{64}$/;

function dockerRef(ref: ImageReference): DockerReference | undefined {
  return ref.transport.name === 'docker' ? ref.dockerReference() : undefined;
}

/**
 * Source side: when `sys` carries a trusted-tag resolver and the source is
 * a tagged docker:// reference, the same repository pinned to the digest
 * Notary signs for the tag. Otherwise the source unchanged. Throws what the
 * resolver throws (no trust data, tag not signed, verification failure),
 * before the source is opened.
 */
export async function resolveTrustedSource(
  options: CopyOptions,
): Promise<{ source: ImageReference; trust?: TrustedTagResolution }> {
  const sys = options.sourceSys ?? options.sys;
  const resolver = dockerTrustedTagResolver(sys);
  const ref = dockerRef(options.source);
  if (!resolver || !ref || ref.digest !== undefined) {
    return { source: options.source };
  }
  const trust = await resolver({ ref, sys });
  if (!SHA256_DIGEST.test(trust.digest)) {
    throw new ImgsignError(
      'TRUST',
      `content trust for ${referenceString(ref)}: the trusted-tag resolver returned ${trust.digest}, not a sha256 digest`,
    );
  }
  return {
    source: newDockerImageReference(withDigest(ref, trust.digest)),
    trust,
  };
}

/**
 * The source as the policy hook (CopyOptions.verifySource) sees it after
 * resolveTrustedSource pinned it: `reference` is the TAGGED reference the
 * user gave, so scope lookup (SPEC §3.3) and signedIdentity matching
 * (§3.5: matchRepoDigestOrExact wants the exact tag) are those of a plain
 * copy of the tag; every read goes to `pinned`, the Notary digest, and the
 * top-level manifest is checked against `digest` here (the tagged
 * reference no longer carries it for the policy's own check). Without
 * this the policy saw `repo@digest`, for which a tag scope never applies
 * and any identity in the repository matches: content trust made the
 * check looser. close() is a no-op: the copy owns `pinned`.
 */
export function trustedPolicySource(
  pinned: ImageSource,
  tagged: ImageReference,
  digest: string,
): ImageSource {
  return {
    reference: tagged,
    async getManifest(instanceDigest) {
      const m = await pinned.getManifest(instanceDigest);
      if (instanceDigest === undefined && !matchesDigest(m.bytes, digest)) {
        const actual = describeManifestDigest(m.bytes);
        throw new ImgsignError(
          'DIGEST_MISMATCH',
          `manifest of ${transportString(tagged)} does not match the digest ${digest} content trust resolved: got ${actual}`,
        );
      }
      return m;
    },
    getBlob: (info) => pinned.getBlob(info),
    getSignatures: (instanceDigest) => pinned.getSignatures(instanceDigest),
    close: () => Promise.resolve(),
  };
}

/** The destination tag to sign after the push, when content trust is on there. */
export interface TrustedDestination {
  ref: DockerReference;
  tag: string;
  signer: DockerTrustedTagSigner;
}

/**
 * Destination side, checked before anything moves: undefined when `sys`
 * carries no signer or the destination is not docker://; a usage error for
 * a digest reference (a digest cannot be signed as a tag).
 */
export function trustedDestination(
  options: CopyOptions,
): TrustedDestination | undefined {
  const signer = dockerTrustedTagSigner(options.destinationSys ?? options.sys);
  const ref = dockerRef(options.destination);
  if (!signer || !ref) return undefined;
  if (ref.digest !== undefined || ref.tag === undefined) {
    throw new ImgsignError(
      'USAGE',
      `cannot push ${transportString(options.destination)} with content trust: a digest reference cannot be signed; give a tag, or use --disable-content-trust`,
    );
  }
  return { ref, tag: ref.tag, signer };
}

/** The report of a signing that --dry-run skips. */
export function plannedTrustedSigning(
  target: TrustedDestination,
  digest: string,
  length: number,
): NonNullable<CopyContentTrustReport['destination']> {
  return {
    gun: referenceName(target.ref),
    tag: target.tag,
    digest,
    length,
    signed: false,
  };
}

/**
 * Sign the pushed tag. A failure says the image WAS pushed but not signed
 * (the registry has it; Notary does not vouch for it).
 */
export async function signTrustedDestination(
  target: TrustedDestination,
  o: {
    destination: string;
    digest: string;
    length: number;
    sys: CopyOptions['sys'];
  },
): Promise<NonNullable<CopyContentTrustReport['destination']>> {
  const context = `${o.destination} was pushed (${o.digest}) but NOT signed for content trust`;
  let signed: TrustedTagSigning;
  try {
    signed = await target.signer({
      ref: target.ref,
      digest: o.digest,
      length: o.length,
      sys: o.sys,
    });
  } catch (err) {
    if (err instanceof ImgsignError) throw err.withContext(context);
    throw new ImgsignError(
      'INCONCLUSIVE',
      `${context}: ${describeError(err)}`,
      {
        cause: err,
      },
    );
  }
  return { ...signed, signed: true };
}
