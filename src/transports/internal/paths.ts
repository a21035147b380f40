import { lstat } from 'node:fs/promises';
import { lstatSync, realpathSync } from 'node:fs';
import {
  basename,
  dirname,
  isAbsolute,
  join,
  normalize,
  resolve,
} from 'node:path';
import { ImgsignError, PolicyFormatError } from '../../errors.js';

/**
 * Absolute path with every existing symlink resolved (containers/image
 * explicitfilepath): the path itself if it exists, else its parent (which
 * must exist) plus the last component. Used as the policy identity of
 * dir:/oci: images.
 */
export function resolvePathToFullyExplicit(path: string): string {
  const abs = resolve(path);
  try {
    lstatSync(abs);
    return realpathSync(abs);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new ImgsignError(
        'INVALID_REFERENCE',
        `resolving ${path}: ${(err as Error).message}`,
      );
    }
  }
  const file = basename(abs);
  let parent: string;
  try {
    parent = realpathSync(dirname(abs));
  } catch (err) {
    throw new ImgsignError(
      'INVALID_REFERENCE',
      `resolving ${path}: parent directory ${dirname(abs)} does not exist (${(err as NodeJS.ErrnoException).code})`,
    );
  }
  return join(parent, file);
}

/** Policy scopes for a path transport: absolute, clean and not "/" (SPEC §8). */
export function validatePathScope(transport: string, scope: string): void {
  if (!isAbsolute(scope)) {
    throw new PolicyFormatError(
      `invalid ${transport} scope "${scope}": must be an absolute path`,
    );
  }
  if (scope === '/') {
    throw new PolicyFormatError(
      `invalid ${transport} scope "/": use the default scope "" instead`,
    );
  }
  const clean = normalize(scope).replace(/(.)\/+$/, '$1');
  if (clean !== scope) {
    throw new PolicyFormatError(
      `invalid ${transport} scope "${scope}": not a clean path, use "${clean}"`,
    );
  }
}

/** `/a/b/c` → [`/a/b`, `/a`]: the parents of a resolved path, except "/". */
export function pathParents(resolved: string): string[] {
  const out: string[] = [];
  let p = resolved;
  for (;;) {
    const slash = p.lastIndexOf('/');
    if (slash <= 0) break;
    p = p.slice(0, slash);
    out.push(p);
  }
  return out;
}

export async function pathExists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}
