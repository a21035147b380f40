import { InvalidSignatureError } from '../errors.js';
import type { SystemContext } from '../system-context.js';
import type { ImageReference } from '../transports/types.js';
import { transportString } from '../transports/types.js';
import {
  assertCarriesSignatures,
  readImageManifest,
  storeSignature,
  type StoredSignature,
} from './image-signatures.js';
import { inspectSignature, type SignatureReport } from './inspect-signature.js';
import { withGnuPGKeysFor, type KnownKey } from './known-keys.js';

export interface AttachResult extends StoredSignature {
  image: string;
  digest: string;
  signature: SignatureReport;
}

/**
 * `signatures attach`: store an externally made signature for `ref`'s
 * current manifest, after checking that it is a simple signature whose
 * (untrusted) claims name that digest and, when its signer's key is among
 * `keys`, that it verifies. A signature by an unknown key is stored as-is
 * (verifiers decide later); a known key that does not verify is refused.
 */
export async function attachSignature(
  ref: ImageReference,
  untrustedSignature: Buffer,
  keys: KnownKey[],
  sys: SystemContext,
): Promise<AttachResult> {
  assertCarriesSignatures(ref);
  const image = transportString(ref);
  const { manifest, digest } = await readImageManifest(ref, sys);
  const all = await withGnuPGKeysFor(keys, [untrustedSignature], sys);
  const report = await inspectSignature(untrustedSignature, 1, manifest, all);
  if (report.unreadable !== undefined) {
    throw new InvalidSignatureError(
      `not a simple signing signature: ${report.unreadable}`,
    );
  }
  if (report.digestMatches !== true) {
    throw new InvalidSignatureError(
      `the signature is for manifest digest ${report.untrustedDigest ?? '?'}, but ${image} has digest ${digest}`,
    );
  }
  const keyKnown = all.some((k) =>
    k.keyIds.includes((report.untrustedKeyId ?? '').toUpperCase()),
  );
  if (keyKnown && !report.verified) {
    throw new InvalidSignatureError(
      `the signature by key ${report.untrustedKeyId ?? '?'} does not verify: ${report.reason ?? 'unknown reason'}`,
    );
  }
  const stored = await storeSignature(ref, digest, untrustedSignature, sys);
  return { image, digest, signature: report, ...stored };
}
