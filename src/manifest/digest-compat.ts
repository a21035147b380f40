import { manifestDigest, matchesDigest } from './digest.js';

/**
 * The digest of manifest bytes (SPEC §2), via manifest/digest.ts: sha256 of
 * the exact bytes, or of the JWS payload for signed schema1.
 */
export function computeManifestDigest(bytes: Buffer): string {
  return manifestDigest(bytes);
}

/** Whether `bytes` are the manifest named by `expected` (exact string compare). */
export function manifestMatchesDigest(
  bytes: Buffer,
  expected: string,
): boolean {
  return matchesDigest(bytes, expected);
}
