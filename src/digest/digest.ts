import { createHash } from 'node:crypto';

/**
 * go-digest validation: only sha256/sha384/sha512 with lowercase hex of the
 * exact length. Everything that builds a path or URL from a digest calls
 * this first, so `sha256:../..` can never reach a file system.
 */
const hexLength: Record<string, number> = {
  sha256: 64,
  sha384: 96,
  sha512: 128,
};

export function isValidDigest(digest: string): boolean {
  const colon = digest.indexOf(':');
  if (colon <= 0) return false;
  const algo = digest.slice(0, colon);
  const hex = digest.slice(colon + 1);
  const len = hexLength[algo];
  return len !== undefined && hex.length === len && /^[a-f0-9]+$/.test(hex);
}

export function sha256Digest(data: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export function digestAlgorithm(digest: string): string {
  return digest.slice(0, digest.indexOf(':'));
}

export function digestHex(digest: string): string {
  return digest.slice(digest.indexOf(':') + 1);
}
