/**
 * The local TUF metadata cache of a trust directory (SPEC §7.9):
 * `<trustDir>/tuf/<GUN>/metadata/<role>.json`, delegations as
 * `targets/<x>.json`, the same layout notary and docker use, so a cache
 * written by one is read by the others.
 *
 * WARNING: cached bytes are as untrusted as the server's; the update
 * (tuf/update.ts) verifies them before use. This class only guarantees
 * that GUN and role names cannot make it read or write outside
 * `<trustDir>/tuf/`, that reads are size-capped and that writes are atomic
 * (temp file beside the target, then rename).
 */
import { constants } from 'node:fs';
import { mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describeError, ImgsignError } from '../errors.js';
import { writeFileAtomic } from '../internal/atomic-file.js';
import { isDelegationName } from './tuf/delegation-names.js';
import { MAX_ROOT_BYTES, type TrustCache } from './tuf/update-root.js';

const BASE_ROLES = new Set(['root', 'targets', 'snapshot', 'timestamp']);
/** No cached metadata file is larger than notary's biggest limit (root). */
const MAX_CACHED_BYTES = MAX_ROOT_BYTES;
const MAX_GUN_LENGTH = 255 + 256;

/**
 * A GUN usable as a directory path: `/`-separated components of
 * `[A-Za-z0-9._:-]`, none empty, `.` or `..`. Docker GUNs (`host[:port]/path`)
 * always pass.
 */
export function validateCacheGUN(gun: string): void {
  const ok =
    gun.length > 0 &&
    gun.length <= MAX_GUN_LENGTH &&
    gun
      .split('/')
      .every((c) => /^[A-Za-z0-9._:-]+$/.test(c) && c !== '.' && c !== '..');
  if (!ok) {
    throw new ImgsignError(
      'UNSAFE_PATH',
      `trust cache: "${gun}" is not a valid repository name (GUN) for a cache path`,
    );
  }
}

/** `root`, `targets`, `snapshot`, `timestamp` or a valid delegation name. */
export function validateCacheRole(role: string): void {
  if (!BASE_ROLES.has(role) && !isDelegationName(role)) {
    throw new ImgsignError(
      'UNSAFE_PATH',
      `trust cache: "${role}" is not a TUF role name (root, targets, snapshot, timestamp or targets/<name>)`,
    );
  }
}

export class FileTrustCache implements TrustCache {
  /** `<trustDir>/tuf`. */
  readonly tufDir: string;

  constructor(trustDir: string) {
    this.tufDir = join(trustDir, 'tuf');
  }

  /** `<trustDir>/tuf/<GUN>/metadata`, after validating the GUN. */
  metadataDir(gun: string): string {
    validateCacheGUN(gun);
    return join(this.tufDir, ...gun.split('/'), 'metadata');
  }

  /** Path of one role's cached file (validated names). */
  rolePath(gun: string, role: string): string {
    validateCacheRole(role);
    return join(this.metadataDir(gun), ...`${role}.json`.split('/'));
  }

  /** The cached bytes, or undefined if there is no such file. */
  async get(gun: string, role: string): Promise<Uint8Array | undefined> {
    const path = this.rolePath(gun, role);
    let handle;
    try {
      // O_NOFOLLOW: a symlink planted as <role>.json is an error, not a redirect.
      handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return undefined;
      if (code === 'ELOOP') {
        throw new ImgsignError(
          'UNSAFE_PATH',
          `trust cache: ${path} is a symbolic link; remove it`,
          { cause: err },
        );
      }
      throw cacheError(`reading ${path}`, err);
    }
    try {
      const info = await handle.stat();
      if (!info.isFile()) {
        throw new ImgsignError(
          'UNSAFE_PATH',
          `trust cache: ${path} is not a regular file; remove it`,
        );
      }
      if (info.size > MAX_CACHED_BYTES) {
        throw new ImgsignError(
          'TRUST',
          `trust cache: ${path} is larger than ${MAX_CACHED_BYTES} bytes; remove it`,
        );
      }
      const bytes = await handle.readFile();
      if (bytes.length > MAX_CACHED_BYTES) {
        throw new ImgsignError(
          'TRUST',
          `trust cache: ${path} grew beyond ${MAX_CACHED_BYTES} bytes while reading; remove it`,
        );
      }
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } catch (err) {
      if (err instanceof ImgsignError) throw err;
      throw cacheError(`reading ${path}`, err);
    } finally {
      await handle.close();
    }
  }

  /** Store `bytes` as the role's file (directories 0700 as notary makes them). */
  async set(gun: string, role: string, bytes: Uint8Array): Promise<void> {
    const path = this.rolePath(gun, role);
    const dir = join(path, '..');
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw cacheError(`creating ${dir}`, err);
    }
    await writeFileAtomic(path, Buffer.from(bytes), { mode: 0o644 });
  }

  /** Forget everything cached for `gun` (its `metadata/` directory). */
  async remove(gun: string): Promise<void> {
    await rm(this.metadataDir(gun), { recursive: true, force: true });
  }
}

function cacheError(what: string, err: unknown): ImgsignError {
  return new ImgsignError(
    'INCONCLUSIVE',
    `trust cache: ${what}: ${describeError(err)}`,
    { cause: err },
  );
}
