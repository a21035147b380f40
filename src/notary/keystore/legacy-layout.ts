import { readdir, rmdir } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import { describeError, ImgsignError } from '../../errors.js';
import { encodePem, type PemBlock } from './pem.js';

/**
 * The notary ≤ 0.3 private key layout (SPEC §7.9):
 * `private/root_keys/<id>[_root].key` and
 * `private/tuf_keys/[<GUN>/]<id>[_role].key`. notary 0.4+ and docker move
 * these to `private/<id>.key`, turning the `_role` suffix into a `role:`
 * header and the GUN directory into a `gun:` header.
 */
export const LEGACY_DIRS = ['root_keys', 'tuf_keys'] as const;

const KEY_ID = /^[0-9a-f]{64}$/;

/** What a key file's location says about it. */
export interface KeyLocation {
  id: string;
  /** From a legacy `_role` suffix ('' if none). */
  role: string;
  /** From a legacy tuf_keys/<GUN>/ directory ('' if none). */
  gun: string;
  legacy: boolean;
}

/**
 * Parse `path` (under `privateDir`) as a key file location, or undefined
 * when its name is not a key ID (such files are not ours to use).
 */
export function keyLocation(
  privateDir: string,
  path: string,
): KeyLocation | undefined {
  const rel = relative(privateDir, path).split(sep);
  const legacy = rel.length > 1;
  let id = basename(path, '.key');
  let role = '';
  if (legacy && id.includes('_')) [id = '', role = ''] = id.split('_');
  if (!KEY_ID.test(id)) return undefined;
  const gun = legacy && rel[0] === 'tuf_keys' ? rel.slice(1, -1).join('/') : '';
  return { id, role, gun, legacy };
}

/** Every `*.key` file below `dir` (not following symlinks), sorted; [] if absent. */
export async function walkKeyFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new ImgsignError(
      'INCONCLUSIVE',
      `cannot list ${dir}: ${describeError(err)}`,
      { cause: err },
    );
  }
  const out: string[] = [];
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walkKeyFiles(path)));
    else if (e.isFile() && e.name.endsWith('.key')) out.push(path);
  }
  return out;
}

/** The migrated PEM: the same block with `role:`/`gun:` headers from the location. */
export function migratedPem(
  block: PemBlock,
  role: string,
  gun: string,
): string {
  const headers = { ...block.headers };
  if (role) headers['role'] = role;
  if (gun) headers['gun'] = gun;
  return encodePem({ ...block, headers });
}

/** rmdir `dir` and its subdirectories bottom-up where they are empty. */
export async function removeEmptyDirs(dir: string): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    if (e.isDirectory()) await removeEmptyDirs(join(dir, e.name));
  }
  await rmdir(dir).catch(() => undefined);
}
