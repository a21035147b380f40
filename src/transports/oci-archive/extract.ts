import { createReadStream, createWriteStream } from 'node:fs';
import { link, lstat, mkdir, realpath, symlink } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { extract } from 'tar-stream';
import { ImgsignError } from '../../errors.js';

function unsafe(archive: string, detail: string): ImgsignError {
  return new ImgsignError(
    'UNSAFE_PATH',
    `refusing to extract ${archive}: ${detail}`,
  );
}

/**
 * The relative path an untrusted tar entry name denotes, or undefined for
 * the archive root (`./`). Absolute names and any `..` component are
 * rejected (SPEC §8 "archive entries with ../absolute paths").
 */
export function safeEntryPath(
  archive: string,
  untrustedName: string,
): string | undefined {
  if (untrustedName.startsWith('/')) {
    throw unsafe(archive, `entry "${untrustedName}" has an absolute path`);
  }
  if (untrustedName.includes('\0')) {
    throw unsafe(archive, `entry name contains a NUL byte`);
  }
  const parts = untrustedName.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) {
    throw unsafe(archive, `entry "${untrustedName}" contains ".."`);
  }
  return parts.length === 0 ? undefined : parts.join('/');
}

/**
 * Symlinks may only point downwards (relative, no `..`), so whatever chain
 * of them the kernel follows stays inside the extraction root.
 */
function checkSymlinkTarget(
  archive: string,
  name: string,
  untrustedTarget: string,
): void {
  if (
    untrustedTarget === '' ||
    untrustedTarget.startsWith('/') ||
    untrustedTarget.split('/').includes('..')
  ) {
    throw unsafe(
      archive,
      `symlink "${name}" -> "${untrustedTarget}" points outside the archive`,
    );
  }
}

async function insideRoot(root: string, path: string): Promise<boolean> {
  const real = await realpath(path);
  return real === root || real.startsWith(root + sep);
}

/**
 * Stream a tar archive into the empty directory `root`: regular files,
 * directories, downward symlinks and hard links to files already extracted.
 * Anything else (devices, fifos, escaping names or links) aborts.
 */
export async function extractArchive(
  archive: string,
  rootDir: string,
): Promise<void> {
  const root = await realpath(rootDir);
  const ex = extract();
  const feeding = pipeline(createReadStream(archive), ex);
  // Surface read errors (missing file) even if iteration stops early.
  feeding.catch(() => undefined);
  for await (const entry of ex) {
    const h = entry.header;
    const rel = safeEntryPath(archive, h.name);
    if (rel === undefined) {
      entry.resume();
      continue;
    }
    const target = join(root, rel);
    await mkdir(dirname(target), { recursive: true });
    if (!(await insideRoot(root, dirname(target)))) {
      throw unsafe(archive, `entry "${h.name}" resolves outside the archive`);
    }
    switch (h.type) {
      case 'file':
      case 'contiguous-file':
        await pipeline(
          entry,
          createWriteStream(target, { flags: 'wx', mode: 0o644 }),
        );
        break;
      case 'directory':
        await mkdir(target, { recursive: true });
        entry.resume();
        break;
      case 'symlink':
        checkSymlinkTarget(archive, h.name, h.linkname ?? '');
        await symlink(h.linkname ?? '', target);
        entry.resume();
        break;
      case 'link': {
        const from = safeEntryPath(archive, h.linkname ?? '');
        const source = from === undefined ? root : join(root, from);
        const st = await lstat(source).catch(() => undefined);
        if (!st?.isFile()) {
          throw unsafe(
            archive,
            `hard link "${h.name}" -> "${h.linkname}" does not name a file extracted earlier`,
          );
        }
        await link(source, target);
        entry.resume();
        break;
      }
      default:
        throw unsafe(
          archive,
          `entry "${h.name}" has unsupported type ${h.type ?? 'unknown'}`,
        );
    }
  }
  await feeding;
}
