import { sha256Digest } from '../digest/digest.js';

/**
 * The digest of manifest bytes (SPEC §2). Delegates to manifest/digest.ts
 * once that lands (it also handles signed schema1); until then plain sha256
 * over the exact bytes, which is correct for every type imgsign writes.
 */
export function computeManifestDigest(bytes: Buffer): string {
  return sha256Digest(bytes);
}

/** Whether `bytes` are the manifest named by `expected` (exact string compare). */
export function manifestMatchesDigest(
  bytes: Buffer,
  expected: string,
): boolean {
  return computeManifestDigest(bytes) === expected;
}
