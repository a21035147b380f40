/**
 * Trust checks on a parsed role file (SPEC §7.4, §7.6): threshold
 * signature verification over the canonical `signed` bytes, expiry
 * against an injected `now`, rollback (version ≥ the trusted one) and
 * bytes against the parent's FILEMETA.
 */
import { createHash } from 'node:crypto';
import { TrustError } from '../../errors.js';
import type { PublicTufKey } from './keys.js';
import {
  HASH_LENGTHS,
  type FileMeta,
  type HashAlgorithm,
} from './metadata-fields.js';
import type {
  BaseRoleName,
  DelegatedRole,
  Root,
  SignedFile,
  Targets,
} from './metadata.js';
import { verifySignature } from './signatures.js';

/** The keys and threshold that must sign a role. */
export interface RoleKeySet {
  /** Role name, for messages. */
  name: string;
  /** Trusted keys by key ID (the ID the metadata lists them under). */
  keys: Map<string, PublicTufKey>;
  threshold: number;
}

/** The key set root.json assigns to a top-level role. */
export function baseRoleKeys(root: Root, role: BaseRoleName): RoleKeySet {
  const r = root.roles[role];
  const keys = new Map<string, PublicTufKey>();
  for (const id of r.keyids) {
    const k = root.keys.get(id);
    if (k) keys.set(id, k);
  }
  return { name: role, keys, threshold: r.threshold };
}

/** The key set a parent targets file assigns to one of its delegations. */
export function delegationKeys(
  parent: Targets,
  role: DelegatedRole,
): RoleKeySet {
  const keys = new Map<string, PublicTufKey>();
  for (const id of role.keyids) {
    const k = parent.delegations.keys.get(id);
    if (k) keys.set(id, k);
  }
  return { name: role.name, keys, threshold: role.threshold };
}

/**
 * Verify that a threshold of distinct keys of `role` signed `file`. A
 * listed key whose content hashes to another ID is a hard error;
 * signatures by keys outside the role are ignored. Returns the key IDs
 * whose signatures verified.
 */
export function verifyRoleSignatures(
  file: SignedFile,
  role: RoleKeySet,
): string[] {
  const where = `${file.gun} ${file.role}.json`;
  if (file.signatures.length === 0) {
    throw new TrustError('signature', `${where}: has no signatures`);
  }
  if (!Number.isInteger(role.threshold) || role.threshold < 1) {
    throw new TrustError(
      'signature',
      `${where}: role ${role.name} has threshold ${role.threshold}, must be at least 1`,
    );
  }
  const valid = new Set<string>();
  const problems: string[] = [];
  for (const s of file.signatures) {
    const key = role.keys.get(s.keyid);
    if (!key) continue;
    if (key.id !== s.keyid) {
      throw new TrustError(
        'signature',
        `${where}: key listed as ${s.keyid} hashes to ID ${key.id}`,
      );
    }
    try {
      verifySignature(key, s.method, s.sig, file.canonical);
      valid.add(s.keyid);
    } catch (err) {
      if (!(err instanceof TrustError)) throw err;
      problems.push(`${s.keyid.slice(0, 12)}: ${err.message}`);
    }
  }
  if (valid.size < role.threshold) {
    const detail = problems.length ? ` (${problems.join('; ')})` : '';
    throw new TrustError(
      'signature',
      `${where}: ${valid.size} valid signature(s) by ${role.name} keys, threshold is ${role.threshold}${detail}`,
    );
  }
  return [...valid];
}

/** Reject metadata whose `expires` is before `now`. */
export function checkNotExpired(file: SignedFile, now: Date): void {
  if (file.signed.expires.getTime() < now.getTime()) {
    throw new TrustError(
      'expired',
      `${file.gun} ${file.role}.json expired at ${file.signed.expiresRaw}`,
    );
  }
}

/** Reject a version lower than the trusted (cached) one: rollback. */
export function checkVersion(file: SignedFile, minVersion: number): void {
  if (file.signed.version < minVersion) {
    throw new TrustError(
      'rollback',
      `${file.gun} ${file.role}.json version ${file.signed.version} is lower than the trusted version ${minVersion}`,
    );
  }
}

/**
 * Check bytes against FILEMETA: exact length, at least one of sha256 and
 * sha512 present, and every present one matching (others are ignored).
 */
export function checkFileMeta(
  untrusted: Uint8Array,
  meta: FileMeta,
  what: string,
): void {
  if (untrusted.length !== meta.length) {
    throw new TrustError(
      'hash',
      `${what}: ${untrusted.length} bytes, expected ${meta.length}`,
    );
  }
  let checked = 0;
  for (const alg of Object.keys(HASH_LENGTHS) as HashAlgorithm[]) {
    const want = meta.hashes[alg];
    if (want === undefined) continue;
    if (want.length !== HASH_LENGTHS[alg]) {
      throw new TrustError(
        'hash',
        `${what}: ${alg} checksum has the wrong length`,
      );
    }
    const got = createHash(alg).update(untrusted).digest();
    if (!got.equals(want)) {
      throw new TrustError('hash', `${what}: ${alg} checksum does not match`);
    }
    checked++;
  }
  if (checked === 0) {
    throw new TrustError(
      'hash',
      `${what}: no sha256 or sha512 checksum to check`,
    );
  }
}
