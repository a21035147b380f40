/**
 * Typed Notary metadata (SPEC §7.2) as metadata.ts parses it. Values are
 * untrusted until verify-role.ts / root-certs.ts have checked the file.
 */
import type { PublicTufKey } from './keys.js';
import type { FileMeta } from './metadata-fields.js';

export const BASE_ROLES = ['root', 'targets', 'snapshot', 'timestamp'] as const;
export type BaseRoleName = (typeof BASE_ROLES)[number];

export interface Signature {
  keyid: string;
  /** As written (verification lowercases it). */
  method: string;
  sig: Buffer;
}

export interface SignedCommon {
  version: number;
  expires: Date;
  /** `expires` as written. */
  expiresRaw: string;
}

export interface RoleKeys {
  keyids: string[];
  threshold: number;
}

export interface Root extends SignedCommon {
  _type: 'Root';
  keys: Map<string, PublicTufKey>;
  roles: Record<BaseRoleName, RoleKeys>;
  consistentSnapshot: boolean;
}

export interface DelegatedRole extends RoleKeys {
  name: string;
  paths: string[];
}

export interface Targets extends SignedCommon {
  _type: 'Targets';
  targets: Map<string, FileMeta>;
  delegations: { keys: Map<string, PublicTufKey>; roles: DelegatedRole[] };
}

export interface Snapshot extends SignedCommon {
  _type: 'Snapshot';
  meta: Map<string, FileMeta>;
}

export interface Timestamp extends SignedCommon {
  _type: 'Timestamp';
  snapshot: FileMeta;
}

export type RoleMetadata = Root | Targets | Snapshot | Timestamp;

export interface SignedFile<T extends RoleMetadata = RoleMetadata> {
  gun: string;
  /** Role name (`root`, `targets/releases`, …). */
  role: string;
  signed: T;
  signatures: Signature[];
  /** Canonical JSON of `signed`: the bytes signatures cover. */
  canonical: Buffer;
  /** The file as received. */
  raw: Buffer;
}
