import type { DockerReference } from '../../reference/docker-reference.js';
import type { VerificationMechanism } from '../../signature/mechanism.js';
import type { SignatureFormat } from '../../signature/blob.js';
import type { UnparsedImage } from '../unparsed-image.js';
import type { SignedBy } from '../types.js';

/** A signature blob as stored, classified but not verified. */
export interface UntrustedSignature {
  /** 1-based position in the image's signature list. */
  index: number;
  format: SignatureFormat;
  /** The blob as stored (simple signing: the raw OpenPGP message). */
  untrustedBlob: Buffer;
}

/**
 * What requirement evaluators get: one image, evaluated once. The manifest
 * and signatures are fetched at most once per evaluation (see cachedImage).
 */
export interface EvaluationEnv {
  image: UnparsedImage;
  /** `transport:reference`, for messages. */
  imageName: string;
  /** The image's docker reference (undefined for dir:, oci: and the like). */
  intended: DockerReference | undefined;
  /** All signatures of the image, classified; throws if they cannot be read. */
  signatures(): Promise<UntrustedSignature[]>;
  /**
   * The verifier for a signedBy requirement's keys, read now (SPEC §3.4).
   * Throws with a one-line reason when keys cannot be read or none exist.
   */
  mechanismFor(req: SignedBy): Promise<VerificationMechanism>;
}
