import { ImgsignError } from '../errors.js';
import {
  isNameOnly,
  parseNormalizedNamed,
  referenceString,
} from '../reference/docker-reference.js';
import { defaultCreator } from '../signature/creator.js';
import { serializeClaims } from '../signature/payload.js';
import type { ImageReference } from '../transports/types.js';
import { transportString } from '../transports/types.js';

export interface SigningPayload {
  /** The exact claims bytes to sign (SPEC §1.1). */
  payload: Buffer;
  digest: string;
  identity: string;
}

/**
 * The identity a signature for `ref` claims: `identity` if given, else the
 * image's docker reference; it must name a tag or digest (SPEC §1.1).
 */
export function signingIdentity(
  ref: ImageReference,
  identity: string | undefined,
): string {
  if (identity === undefined) {
    const named = ref.dockerReference();
    if (named === undefined) {
      throw new ImgsignError(
        'USAGE',
        `${transportString(ref)} has no docker reference: pass --identity REGISTRY/REPOSITORY:TAG`,
      );
    }
    return referenceString(named);
  }
  const parsed = parseNormalizedNamed(identity);
  if (isNameOnly(parsed)) {
    throw new ImgsignError(
      'USAGE',
      `identity "${identity}" must be a fully specified reference with a tag or digest`,
    );
  }
  return referenceString(parsed);
}

/** The claims an external signer (HSM, KMS, air-gapped gpg) signs for `digest`. */
export function signingPayload(
  digest: string,
  identity: string,
  now: Date = new Date(),
): SigningPayload {
  return {
    payload: serializeClaims({
      dockerManifestDigest: digest,
      dockerReference: identity,
      creator: defaultCreator(),
      timestamp: Math.floor(now.getTime() / 1000),
    }),
    digest,
    identity,
  };
}
