import { ImgsignError, type ImgsignErrorCode } from '../errors.js';

/**
 * Exit codes (documented in the README):
 *   0  success: signed, copied, verified, accepted
 *   1  verification said no: invalid signature, rejected by policy, digest mismatch
 *   2  bad input: flags, references, policy/registries.d files, keys, passphrases
 *   3  no verdict: network, registry or I/O failure, an external tool that failed
 *   4  internal error (a bug: please report it)
 */
export const EXIT = {
  ok: 0,
  rejected: 1,
  usage: 2,
  inconclusive: 3,
  internal: 4,
} as const;

const byCode: Record<ImgsignErrorCode, number> = {
  USAGE: EXIT.usage,
  INVALID_REFERENCE: EXIT.usage,
  POLICY_FORMAT: EXIT.usage,
  REGISTRIES_D_FORMAT: EXIT.usage,
  KEY_NOT_FOUND: EXIT.usage,
  KEY_AMBIGUOUS: EXIT.usage,
  KEY_INVALID: EXIT.usage,
  PASSPHRASE: EXIT.usage,
  INVALID_SIGNATURE: EXIT.rejected,
  POLICY_REQUIREMENT: EXIT.rejected,
  DIGEST_MISMATCH: EXIT.rejected,
  INVALID_MANIFEST: EXIT.rejected,
  UNSAFE_PATH: EXIT.rejected,
  TRUST: EXIT.rejected,
  INCONCLUSIVE: EXIT.inconclusive,
  REGISTRY_HTTP: EXIT.inconclusive,
  NOT_FOUND: EXIT.inconclusive,
  UNSUPPORTED: EXIT.usage,
  EXTERNAL_TOOL: EXIT.inconclusive,
};

export function exitCodeFor(err: unknown): number {
  if (err instanceof ImgsignError) return byCode[err.code];
  return EXIT.internal;
}
