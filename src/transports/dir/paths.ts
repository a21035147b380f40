import { join } from 'node:path';
import { digestHex, isValidDigest } from '../../digest/digest.js';
import { ImgsignError } from '../../errors.js';

/**
 * File names inside a `dir:` image (SPEC §6). Every digest is validated
 * before it becomes part of a path, so `sha256:../../x` never reaches the
 * file system.
 */
export const DIR_VERSION = 'Directory Transport Version: 1.1\n';
export const VERSION_FILE = 'version';

function checkedHex(digest: string, what: string): string {
  if (!isValidDigest(digest)) {
    throw new ImgsignError(
      'INVALID_MANIFEST',
      `${what} "${digest}" is not a valid digest; refusing to build a file name from it`,
    );
  }
  return digestHex(digest);
}

export function manifestFile(instanceDigest?: string): string {
  return instanceDigest === undefined
    ? 'manifest.json'
    : `${checkedHex(instanceDigest, 'instance digest')}.manifest.json`;
}

export function blobFile(digest: string): string {
  return checkedHex(digest, 'blob digest');
}

/** `signature-N` (N from 1) or `<hex>.signature-N` for a list instance. */
export function signatureFile(n: number, instanceDigest?: string): string {
  return instanceDigest === undefined
    ? `signature-${n}`
    : `${checkedHex(instanceDigest, 'instance digest')}.signature-${n}`;
}

/** Whether a file name is one a dir: image consists of (what an overwrite removes). */
export function isImageFileName(name: string): boolean {
  return (
    name === 'manifest.json' ||
    name === VERSION_FILE ||
    /^signature-\d+$/.test(name) ||
    /^[a-f0-9]{64,128}(\.manifest\.json|\.signature-\d+)?$/.test(name)
  );
}

export function inDir(dir: string, name: string): string {
  return join(dir, name);
}
