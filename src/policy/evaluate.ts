import { describeError } from '../errors.js';
import { transportString, type ImageReference } from '../transports/types.js';
import { describeRequirement } from './describe.js';
import type { EvaluationEnv } from './requirements/env.js';
import { checkSignature, evaluateSignedBy } from './requirements/signed-by.js';
import {
  isInconclusive,
  type AcceptedSignature,
  type PolicyEvaluation,
  type RequirementResult,
} from './result.js';
import type {
  Policy,
  PolicyRequirement,
  PolicyRequirements,
  PolicyScope,
} from './types.js';

/**
 * Scope lookup (SPEC §3.3, c/image requirementsForImageRef): within the
 * image's transport section, the identity, then each namespace, then `""`;
 * the first key present wins. Otherwise the policy default.
 */
export function requirementsFor(
  policy: Policy,
  ref: ImageReference,
): { scope: PolicyScope; requirements: PolicyRequirements } {
  const transport = ref.transport.name;
  const scopes = policy.transports.get(transport);
  if (scopes) {
    const candidates = [
      ref.policyConfigurationIdentity(),
      ...ref.policyConfigurationNamespaces(),
      '',
    ];
    for (const scope of candidates) {
      const requirements = scopes.get(scope);
      if (requirements) return { scope: { transport, scope }, requirements };
    }
  }
  return { scope: 'default', requirements: policy.default };
}

/** Whether one requirement allows running the image (c/image isRunningImageAllowed). */
async function evaluateRequirement(
  req: PolicyRequirement,
  index: number,
  env: EvaluationEnv,
): Promise<RequirementResult> {
  const base = { index, type: req.type, requirement: describeRequirement(req) };
  switch (req.type) {
    case 'insecureAcceptAnything':
      return { ...base, outcome: 'accepted', reason: 'any image is accepted' };
    case 'reject':
      return {
        ...base,
        outcome: 'rejected',
        reason: `Running image ${env.imageName} is rejected by policy.`,
      };
    case 'signedBaseLayer':
      return {
        ...base,
        outcome: 'rejected',
        reason:
          'signedBaseLayer is not implemented (it always rejects, as in containers/image)',
      };
    case 'sigstoreSigned':
      return {
        ...base,
        outcome: 'rejected',
        reason:
          'sigstoreSigned is not supported by imgsign: sigstore signatures cannot be verified, so the image is rejected',
      };
    case 'signedBy': {
      const r = await evaluateSignedBy(req, env);
      return {
        ...base,
        outcome: r.accepted ? 'accepted' : 'rejected',
        reason: r.reason,
        signatures: r.signatures,
        ...(r.inconclusive ? { inconclusive: true } : {}),
      };
    }
  }
}

/**
 * Evaluate `env.image` against `policy` (SPEC §3.6): every requirement of
 * the selected scope must allow it; evaluation stops at the first that does
 * not. Never throws for a verdict; I/O failures become rejections (marked
 * inconclusive).
 */
export async function evaluatePolicy(
  policy: Policy,
  env: EvaluationEnv,
): Promise<PolicyEvaluation> {
  const { scope, requirements } = requirementsFor(policy, env.image.reference);
  const results: RequirementResult[] = [];
  let allowed = requirements.length > 0;
  for (const [i, req] of requirements.entries()) {
    let result: RequirementResult;
    try {
      result = await evaluateRequirement(req, i, env);
    } catch (err) {
      result = {
        index: i,
        type: req.type,
        requirement: describeRequirement(req),
        outcome: 'rejected',
        reason: describeError(err),
        ...(isInconclusive(err) ? { inconclusive: true } : {}),
      };
    }
    results.push(result);
    if (result.outcome === 'rejected') {
      allowed = false;
      break;
    }
  }
  return {
    image: transportString(env.image.reference),
    allowed,
    scope,
    results,
  };
}

/**
 * Per-signature acceptance (SPEC §3.6, c/image
 * GetSignaturesWithAcceptedAuthor): a simple signature is accepted iff at
 * least one requirement accepts it and none rejects it. `reject` and
 * `sigstoreSigned` reject every signature; `insecureAcceptAnything` and
 * `signedBaseLayer` are neutral.
 */
export async function acceptedSignatures(
  policy: Policy,
  env: EvaluationEnv,
): Promise<AcceptedSignature[]> {
  const { requirements } = requirementsFor(policy, env.image.reference);
  const out: AcceptedSignature[] = [];
  for (const sig of await env.signatures()) {
    if (sig.format !== 'simple-signing') continue;
    let accepted: AcceptedSignature | undefined;
    let rejected = false;
    for (const req of requirements) {
      if (req.type === 'insecureAcceptAnything') continue;
      if (req.type === 'signedBaseLayer') continue;
      if (req.type !== 'signedBy') {
        rejected = true;
        break;
      }
      const check = await checkSignature(req, sig, env);
      if (!check.accepted) {
        rejected = true;
        break;
      }
      const s = { index: sig.index, ...check.signature };
      if (accepted === undefined) accepted = s;
      else if (!sameSignature(accepted, s)) {
        // Two parses of one blob disagree: treat as rejected (cannot happen).
        rejected = true;
        break;
      }
    }
    if (accepted !== undefined && !rejected) out.push(accepted);
  }
  return out;
}

function sameSignature(a: AcceptedSignature, b: AcceptedSignature): boolean {
  return (
    a.dockerManifestDigest === b.dockerManifestDigest &&
    a.dockerReference === b.dockerReference &&
    a.keyIdentity === b.keyIdentity &&
    a.creator === b.creator &&
    a.timestamp === b.timestamp
  );
}

/** The single-line message assertAllowed throws for a rejection. */
export function rejectionMessage(evaluation: PolicyEvaluation): string {
  const last = evaluation.results[evaluation.results.length - 1];
  if (!last) {
    return `Running image ${evaluation.image} is rejected by policy: the requirement list is empty`;
  }
  return `Running image ${evaluation.image} is rejected by policy: requirement ${last.index + 1} (${last.requirement}): ${last.reason}`;
}
