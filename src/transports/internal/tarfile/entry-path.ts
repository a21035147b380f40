import { posix } from 'node:path';
import { ImgsignError } from '../../../errors.js';

/**
 * Names inside a docker-save tarball come from an untrusted file. We never
 * extract, but names are compared, joined with link targets and (by other
 * tools) extracted, so anything that could leave the archive root is
 * rejected outright (SPEC §8 "archive entries with `..`/absolute paths").
 */
export function unsafePath(archive: string, message: string): ImgsignError {
  return new ImgsignError(
    'UNSAFE_PATH',
    `archive ${archive}: ${message}; refusing to read it`,
  );
}

/**
 * The canonical form of an untrusted entry name: `./a//b/` → `a/b`.
 * Throws UNSAFE_PATH for absolute names, `..` components, NUL bytes or an
 * empty name.
 */
export function cleanEntryName(archive: string, untrustedName: string): string {
  const shown = JSON.stringify(untrustedName);
  if (untrustedName.includes('\0')) {
    throw unsafePath(archive, `entry name ${shown} contains a NUL byte`);
  }
  if (untrustedName.startsWith('/')) {
    throw unsafePath(archive, `entry name ${shown} is an absolute path`);
  }
  const parts = untrustedName.split('/');
  if (parts.includes('..')) {
    throw unsafePath(archive, `entry name ${shown} contains ".."`);
  }
  const cleaned = parts.filter((p) => p !== '' && p !== '.').join('/');
  if (cleaned === '') {
    throw unsafePath(archive, `entry name ${shown} is empty`);
  }
  return cleaned;
}

/**
 * Where a symlink at `name` pointing to `untrustedTarget` leads, relative to
 * the archive root. Absolute targets and targets that climb above the root
 * are rejected even though we only ever look them up in the archive index.
 */
export function resolveSymlinkTarget(
  archive: string,
  name: string,
  untrustedTarget: string,
): string {
  const shown = `${JSON.stringify(name)} -> ${JSON.stringify(untrustedTarget)}`;
  if (untrustedTarget === '' || untrustedTarget.includes('\0')) {
    throw unsafePath(archive, `symlink ${shown} has an invalid target`);
  }
  if (untrustedTarget.startsWith('/')) {
    throw unsafePath(archive, `symlink ${shown} points to an absolute path`);
  }
  const joined = posix.normalize(
    posix.join(posix.dirname(name), untrustedTarget),
  );
  if (joined === '..' || joined.startsWith('../') || joined === '.') {
    throw unsafePath(archive, `symlink ${shown} escapes the archive`);
  }
  return joined.replace(/\/+$/, '');
}

/** Hard link targets name another entry from the archive root; same rules as entry names. */
export function resolveHardlinkTarget(
  archive: string,
  name: string,
  untrustedTarget: string,
): string {
  try {
    return cleanEntryName(archive, untrustedTarget);
  } catch {
    throw unsafePath(
      archive,
      `hard link ${JSON.stringify(name)} -> ${JSON.stringify(untrustedTarget)} escapes the archive`,
    );
  }
}
