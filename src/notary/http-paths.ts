import { ImgsignError } from '../errors.js';
import type { MetadataRequest, RoleName } from './metadata-source.js';

/**
 * URL paths of the notary server API (SPEC §7.5), built only from names
 * checked here: a GUN or role name from metadata could otherwise walk out
 * of `/v2/<gun>/_trust/tuf/` (`..`, `%2f`, `?`).
 */

const BASE_ROLES = new Set(['root', 'targets', 'snapshot', 'timestamp']);
/** `targets/<name>[/...]`, SPEC §7.2 delegation names: `[-a-z0-9_/]`, < 256 chars. */
const DELEGATION = /^targets(?:\/[-a-z0-9_]+)+$/;
const CHECKSUM = /^(?:[0-9a-f]{64}|[0-9a-f]{96}|[0-9a-f]{128})$/;
/** One GUN path component: registry host[:port] or a repository path part. */
const GUN_COMPONENT = /^[A-Za-z0-9._:[\]-]+$/;
const MAX_GUN_LENGTH = 255;

/** A GUN or role name that cannot be used in a notary server URL. */
export class NotaryNameError extends ImgsignError {
  constructor(message: string) {
    super('UNSAFE_PATH', message);
  }
}

/** Throws unless `gun` is a plain repository name (no `*`, no `..`, no URL syntax). */
export function checkGUN(gun: string): void {
  const why =
    gun === ''
      ? 'is empty'
      : gun.length > MAX_GUN_LENGTH
        ? `is longer than ${MAX_GUN_LENGTH} characters`
        : gun.includes('*')
          ? 'contains "*"'
          : gun
                .split('/')
                .some((c) => c === '.' || c === '..' || !GUN_COMPONENT.test(c))
            ? 'has an empty, "." or ".." component or characters other than letters, digits, ".", "_", "-", ":" and "/"'
            : undefined;
  if (why !== undefined) {
    throw new NotaryNameError(
      `GUN "${printable(gun)}" ${why}: it cannot name a notary repository`,
    );
  }
}

/** Throws unless `role` is a base role or a well-formed `targets/…` delegation. */
export function checkRole(role: RoleName): void {
  if (BASE_ROLES.has(role)) return;
  if (role.length < 256 && DELEGATION.test(role)) return;
  throw new NotaryNameError(
    `role "${printable(role)}" is not root, targets, snapshot, timestamp or a targets/<name> delegation of [-a-z0-9_/]`,
  );
}

/** `/v2/<gun>/_trust/tuf/`: the collection (POST, DELETE). */
export function tufPath(gun: string): string {
  checkGUN(gun);
  return `/v2/${gun}/_trust/tuf/`;
}

/** The path of one metadata file: current, by checksum or by version. */
export function metadataPath(gun: string, req: MetadataRequest): string {
  checkRole(req.role);
  if (req.checksum !== undefined && req.version !== undefined) {
    throw new NotaryNameError(
      `metadata request for ${req.role} of ${gun} names both a checksum and a version`,
    );
  }
  let file = `${req.role}.json`;
  if (req.checksum !== undefined) {
    if (!CHECKSUM.test(req.checksum)) {
      throw new NotaryNameError(
        `checksum "${printable(req.checksum)}" for ${req.role} of ${gun} is not a lowercase hex SHA-256/384/512`,
      );
    }
    file = `${req.role}.${req.checksum}.json`;
  } else if (req.version !== undefined) {
    if (!Number.isSafeInteger(req.version) || req.version < 1) {
      throw new NotaryNameError(
        `version ${String(req.version)} for ${req.role} of ${gun} is not a positive integer`,
      );
    }
    file = `${req.version}.${req.role}.json`;
  }
  return tufPath(gun) + file;
}

/** Where the server-held public key of a role is (GET) or rotated (POST). */
export function serverKeyPath(
  gun: string,
  role: 'timestamp' | 'snapshot',
): string {
  if (role !== 'timestamp' && role !== 'snapshot') {
    throw new NotaryNameError(
      `the notary server holds only timestamp and snapshot keys, not "${printable(role)}"`,
    );
  }
  return `${tufPath(gun)}${role}.key`;
}

/** Names quoted in messages stay on one line and short. */
function printable(s: string): string {
  const flat = JSON.stringify(s).slice(1, -1);
  return flat.length > 120 ? `${flat.slice(0, 120)}…` : flat;
}
