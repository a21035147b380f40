import {
  ImgsignError,
  InvalidSignatureError,
  describeError,
} from '../errors.js';
import { manifestDigest, matchesDigest } from '../manifest/digest.js';
import {
  isNameOnly,
  parseNormalizedNamed,
  referenceString,
} from '../reference/docker-reference.js';
import { defaultCreator } from './creator.js';
import type { SigningMechanism, VerificationMechanism } from './mechanism.js';
import { parseClaims, serializeClaims } from './payload.js';

/**
 * Simple signing (SPEC §1): creating and verifying "atomic container
 * signatures". A `Signature` is trusted: it only ever comes out of
 * verifyAndExtractSignature, after every step of SPEC §1.4 passed.
 */
export interface Signature {
  dockerManifestDigest: string;
  dockerReference: string;
  /** Primary key fingerprint of the signer (40 uppercase hex). */
  keyIdentity: string;
  creator?: string;
  timestamp?: number;
}

export interface SignatureAcceptanceRules {
  mechanism: VerificationMechanism;
  /** Fingerprints whose signatures are acceptable; default: every trusted key of `mechanism`. */
  acceptedKeyIdentities?: string[];
  /** Throw (InvalidSignatureError) unless the claimed digest is the image's. */
  validateSignedDockerManifestDigest(digest: string): void;
  /** Throw (InvalidSignatureError) unless the claimed reference is acceptable. */
  validateSignedDockerReference(reference: string): void;
}

/**
 * SPEC §1.4, in order, failing closed: cryptographic verification, accepted
 * signer, strict claims, digest, identity. WARNING: the two validate
 * callbacks are the caller's duty; a no-op callback accepts anything.
 */
export async function verifyAndExtractSignature(
  untrustedBlob: Buffer,
  rules: SignatureAcceptanceRules,
): Promise<Signature> {
  const verified = await rules.mechanism.verify(untrustedBlob);
  const accepted =
    rules.acceptedKeyIdentities ?? rules.mechanism.trustedFingerprints();
  const signer = verified.keyIdentity.toUpperCase();
  if (!accepted.some((fpr) => fpr.toUpperCase() === signer)) {
    throw new InvalidSignatureError(
      `signature by key ${signer} is not by an accepted key (accepted: ${accepted.join(', ') || 'none'})`,
    );
  }
  const claims = parseClaims(verified.contents);
  rules.validateSignedDockerManifestDigest(claims.dockerManifestDigest);
  rules.validateSignedDockerReference(claims.dockerReference);
  return { ...claims, keyIdentity: signer };
}

export interface SignOptions {
  /** `optional.creator`; default `imgsign <version>`. */
  creator?: string;
  /** `optional.timestamp` in Unix seconds; default now. */
  timestamp?: number;
}

/**
 * Sign `manifest` (exact bytes) as `dockerReference`, which must name a tag
 * or digest. Returns the binary signed message to store as-is.
 */
export async function signDockerManifest(
  manifest: Buffer,
  dockerReference: string,
  signer: SigningMechanism,
  options: SignOptions = {},
): Promise<Buffer> {
  const ref = parseNormalizedNamed(dockerReference);
  if (isNameOnly(ref)) {
    throw new ImgsignError(
      'USAGE',
      `sign identity "${dockerReference}" must be a fully specified reference with a tag or digest`,
    );
  }
  const payload = serializeClaims({
    dockerManifestDigest: manifestDigest(manifest),
    dockerReference: referenceString(ref),
    creator: options.creator ?? defaultCreator(),
    timestamp: options.timestamp ?? Math.floor(Date.now() / 1000),
  });
  return signer.sign(payload);
}

/** The digest check of §1.4 step 4 for a known manifest. */
export function manifestDigestValidator(
  manifest: Buffer,
): (digest: string) => void {
  return (digest) => {
    if (matchesDigest(manifest, digest)) return;
    let actual: string;
    try {
      actual = manifestDigest(manifest);
    } catch (err) {
      throw new InvalidSignatureError(
        `signature is for manifest digest ${digest}, but the manifest's digest cannot be computed: ${describeError(err)}`,
      );
    }
    throw new InvalidSignatureError(
      `signature is for manifest digest ${digest}, not for this manifest (${actual})`,
    );
  };
}

/**
 * standalone-verify semantics: the claimed reference must equal
 * `expectedDockerReference` after normalisation (no default tag added).
 */
export async function verifyDockerManifestSignature(
  untrustedBlob: Buffer,
  manifest: Buffer,
  expectedDockerReference: string,
  verifier: VerificationMechanism,
  acceptedFingerprints: string[],
): Promise<Signature> {
  const expected = referenceString(
    parseNormalizedNamed(expectedDockerReference),
  );
  return verifyAndExtractSignature(untrustedBlob, {
    mechanism: verifier,
    acceptedKeyIdentities: acceptedFingerprints,
    validateSignedDockerManifestDigest: manifestDigestValidator(manifest),
    validateSignedDockerReference: (claimed) => {
      let normalized: string;
      try {
        normalized = referenceString(parseNormalizedNamed(claimed));
      } catch (err) {
        throw new InvalidSignatureError(
          `signature claims an invalid docker reference: ${describeError(err)}`,
        );
      }
      if (normalized !== expected) {
        throw new InvalidSignatureError(
          `signature is for docker reference "${claimed}", not "${expectedDockerReference}"`,
        );
      }
    },
  });
}
