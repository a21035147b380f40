import type { ImgsignErrorCode } from '../errors.js';
import { ImgsignError } from '../errors.js';
import type { PolicyScope, RequirementType } from './types.js';

/** What evaluation found about one signature blob, for explanations. */
export interface SignatureVerdict {
  /** 1-based, as in `signature-N` file names and lookaside URLs. */
  index: number;
  accepted: boolean;
  reason: string;
  /** Set once the signer is known (verified, or named by the failure). */
  keyIdentity?: string;
  /** The claimed identity, once the signature verified. */
  dockerReference?: string;
  dockerManifestDigest?: string;
}

export interface RequirementResult {
  /** 0-based position in the selected requirement list. */
  index: number;
  type: RequirementType;
  /** Human description, e.g. `signedBy (keyPath /k.gpg, signedIdentity matchExact)`. */
  requirement: string;
  outcome: 'accepted' | 'rejected';
  reason: string;
  /** signedBy only: every signature looked at and why it was (not) accepted. */
  signatures?: SignatureVerdict[];
  /** The rejection came from an I/O or network failure, not from a verdict. */
  inconclusive?: boolean;
}

export interface PolicyEvaluation {
  /** `transport:reference` of the image. */
  image: string;
  allowed: boolean;
  scope: PolicyScope;
  /**
   * Requirements in order, as far as evaluated: evaluation stops at the
   * first rejection (as containers/image does), which is then the last entry.
   */
  results: RequirementResult[];
}

/** A signature accepted by the policy (SPEC §3.6 per-signature acceptance). */
export interface AcceptedSignature {
  index: number;
  dockerManifestDigest: string;
  dockerReference: string;
  keyIdentity: string;
  creator?: string;
  timestamp?: number;
}

const inconclusiveCodes: ReadonlySet<ImgsignErrorCode> = new Set([
  'INCONCLUSIVE',
  'REGISTRY_HTTP',
  'NOT_FOUND',
  'EXTERNAL_TOOL',
]);

/** Whether a failure means "no answer could be reached" rather than "no". */
export function isInconclusive(err: unknown): boolean {
  return err instanceof ImgsignError && inconclusiveCodes.has(err.code);
}

export function scopeDescription(scope: PolicyScope): string {
  return scope === 'default'
    ? 'the default requirements'
    : `transports.${scope.transport}[${JSON.stringify(scope.scope)}]`;
}
