import { describeError, PolicyRequirementError } from '../../errors.js';
import { manifestDigest, matchesDigest } from '../../manifest/digest.js';
import type { ManifestBlob } from '../../transports/types.js';
import {
  verifyAndExtractSignature,
  type Signature,
} from '../../signature/simple.js';
import { describeIdentity } from '../describe.js';
import {
  expectedIdentityDescription,
  matchesSignedIdentity,
} from '../reference-match.js';
import { isInconclusive, type SignatureVerdict } from '../result.js';
import type { SignedBy } from '../types.js';
import type { EvaluationEnv, UntrustedSignature } from './env.js';

/**
 * `signedBy` (SPEC §3.4, §3.6): the image is allowed iff at least one of its
 * simple signatures passes every step of SPEC §1.4 with this requirement's
 * keys and signedIdentity. Sigstore signatures are invisible to it.
 */
export type SignatureCheck =
  | { accepted: true; signature: Signature }
  | { accepted: false; reason: string; inconclusive: boolean };

type ManifestResult =
  { ok: true; m: ManifestBlob } | { ok: false; err: unknown };

function digestValidator(
  env: EvaluationEnv,
  manifest: ManifestResult,
): (claimed: string) => void {
  return (claimed) => {
    if (!manifest.ok) {
      const err = manifest.err;
      if (err instanceof Error) throw err;
      throw new Error(String(err));
    }
    const bytes = manifest.m.bytes;
    if (matchesDigest(bytes, claimed)) return;
    let actual: string;
    try {
      actual = manifestDigest(bytes);
    } catch (err) {
      throw new PolicyRequirementError(
        `signature is for manifest digest ${claimed}, but the digest of the manifest of ${env.imageName} cannot be computed: ${describeError(err)}`,
      );
    }
    throw new PolicyRequirementError(
      `digest mismatch: signature is for manifest digest ${claimed}, but the manifest of ${env.imageName} has digest ${actual}`,
    );
  };
}

async function fetchManifest(env: EvaluationEnv): Promise<ManifestResult> {
  try {
    return { ok: true, m: await env.image.manifest() };
  } catch (err) {
    return { ok: false, err };
  }
}

/** Check one simple signature against one signedBy requirement. */
export async function checkSignature(
  req: SignedBy,
  sig: UntrustedSignature,
  env: EvaluationEnv,
): Promise<SignatureCheck> {
  try {
    if (req.keyType !== 'GPGKeys') {
      throw new PolicyRequirementError(
        `keyType "${req.keyType}" is not implemented (only GPGKeys is)`,
      );
    }
    const mechanism = await env.mechanismFor(req);
    // Fetched now but only consulted after the signature verified (§1.4 order).
    const manifest = await fetchManifest(env);
    const signature = await verifyAndExtractSignature(sig.untrustedBlob, {
      mechanism,
      validateSignedDockerManifestDigest: digestValidator(env, manifest),
      validateSignedDockerReference: (claimed) => {
        if (matchesSignedIdentity(req.signedIdentity, env.intended, claimed)) {
          return;
        }
        throw new PolicyRequirementError(
          `identity "${claimed}" is not accepted for "${expectedIdentityDescription(req.signedIdentity, env.intended)}" under ${describeIdentity(req.signedIdentity)}`,
        );
      },
    });
    return { accepted: true, signature };
  } catch (err) {
    return {
      accepted: false,
      reason: describeError(err),
      inconclusive: isInconclusive(err),
    };
  }
}

export interface SignedByResult {
  accepted: boolean;
  reason: string;
  signatures: SignatureVerdict[];
  inconclusive: boolean;
}

function verdictOf(
  sig: UntrustedSignature,
  check: SignatureCheck,
): SignatureVerdict {
  if (check.accepted) {
    const s = check.signature;
    return {
      index: sig.index,
      accepted: true,
      reason: `signed by key ${s.keyIdentity} as "${s.dockerReference}"`,
      keyIdentity: s.keyIdentity,
      dockerReference: s.dockerReference,
      dockerManifestDigest: s.dockerManifestDigest,
    };
  }
  return { index: sig.index, accepted: false, reason: check.reason };
}

export async function evaluateSignedBy(
  req: SignedBy,
  env: EvaluationEnv,
): Promise<SignedByResult> {
  let all: UntrustedSignature[];
  try {
    all = await env.signatures();
  } catch (err) {
    return {
      accepted: false,
      reason: `reading signatures${env.image.signatureSource ? ` from ${env.image.signatureSource}` : ''}: ${describeError(err)}`,
      signatures: [],
      inconclusive: isInconclusive(err),
    };
  }
  const verdicts: SignatureVerdict[] = [];
  const rejected: SignatureVerdict[] = [];
  let inconclusive = false;
  for (const sig of all) {
    if (sig.format !== 'simple-signing') {
      verdicts.push({
        index: sig.index,
        accepted: false,
        reason: `a ${sig.format} signature, which signedBy ignores`,
      });
      continue;
    }
    const check = await checkSignature(req, sig, env);
    const verdict = verdictOf(sig, check);
    verdicts.push(verdict);
    if (check.accepted) {
      // One accepted signature is enough; the rest are not examined.
      return {
        accepted: true,
        reason: verdict.reason,
        signatures: verdicts,
        inconclusive: false,
      };
    }
    rejected.push(verdict);
    inconclusive ||= check.inconclusive;
  }
  let reason: string;
  if (rejected.length === 0) {
    reason = `A signature was required, but no signature exists${env.image.signatureSource ? ` (looked in ${env.image.signatureSource})` : ''}`;
  } else if (rejected.length === 1 && rejected[0]) {
    reason = `signature ${rejected[0].index}: ${rejected[0].reason}`;
  } else {
    reason = `None of the signatures were accepted, reasons: ${rejected.map((v) => `signature ${v.index}: ${v.reason}`).join('; ')}`;
  }
  return { accepted: false, reason, signatures: verdicts, inconclusive };
}
