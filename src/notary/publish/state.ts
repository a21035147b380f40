/**
 * The editable copy of a repository's metadata that a publish works on
 * (SPEC §7.7): the raw `signed` JSON of root, targets and every verified
 * delegation, which files changed (dirty), which delegations were removed.
 * Changes follow notary's changelist semantics: adding a delegation that
 * exists merges keys and paths, removing keys purges those no role uses,
 * removing a target from a role marks the role dirty even if it lacked it.
 * Nothing here signs or talks to the server (publish.ts does).
 */
import { ImgsignError } from '../../errors.js';
import { isDelegationName, parentRole } from '../tuf/delegation-names.js';
import {
  canonicalKeyID,
  keyID,
  parseTufKey,
  type TufKeyJSON,
} from '../tuf/keys.js';
import type { SignedJSON } from '../tuf/sign.js';
import type { TrustedRepository } from '../tuf/update.js';

export interface TargetMetaJSON {
  length: number;
  /** Base64 raw digests by algorithm. */
  hashes: Record<string, string>;
  custom?: unknown;
}

export interface DelegationRoleJSON {
  name: string;
  keyids: string[];
  threshold: number;
  paths: string[];
}

export interface TargetsJSON extends SignedJSON {
  targets: Record<string, TargetMetaJSON>;
  delegations: {
    keys: Record<string, TufKeyJSON>;
    roles: DelegationRoleJSON[];
  };
}

interface RoleEntry {
  signed: TargetsJSON;
  dirty: boolean;
}

/** A delegation as listed by its parent, with canonical key IDs (notary GetDelegationRoles). */
export interface DelegationInfo extends DelegationRoleJSON {
  parent: string;
  /** Canonical IDs of `keyids` (SPEC §7.1), in the same order. */
  canonicalKeyIDs: string[];
}

function plain(bytes: Uint8Array): SignedJSON {
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as SignedJSON;
}

/** A targets JSON with `targets` and `delegations` present (notary omits nothing, older files may). */
function normalizeTargets(s: SignedJSON): TargetsJSON {
  const d = (s.delegations ?? {}) as Partial<TargetsJSON['delegations']>;
  return {
    ...s,
    targets: (s.targets ?? {}) as TargetsJSON['targets'],
    delegations: { keys: d.keys ?? {}, roles: d.roles ?? [] },
  };
}

/** A new, empty targets file (version 0: the first signing makes it 1). */
export function emptyTargets(): TargetsJSON {
  return {
    _type: 'Targets',
    version: 0,
    expires: '',
    targets: {},
    delegations: { keys: {}, roles: [] },
  };
}

export class PublishState {
  /** Root `signed` JSON. */
  root: SignedJSON;
  rootDirty: boolean;
  /** Current snapshot `signed` JSON (absent for a new repository). */
  readonly snapshot: SignedJSON | undefined;
  /** Roles the snapshot lists (files that exist on the server). */
  private readonly published: Set<string>;
  private readonly roles = new Map<string, RoleEntry>();
  /** Delegations removed by this change set. */
  readonly deleted = new Set<string>();
  /**
   * Key files made for this (new) repository only, e.g. its targets key:
   * removed again if the server refuses the initial publish.
   */
  readonly newKeyFiles: string[] = [];

  private constructor(
    readonly gun: string,
    root: SignedJSON,
    snapshot: SignedJSON | undefined,
    /** True for a repository being created: root and targets are always sent. */
    readonly initial: boolean,
  ) {
    this.root = root;
    this.rootDirty = initial;
    this.snapshot = snapshot;
    const meta = (snapshot?.meta ?? {}) as Record<string, unknown>;
    this.published = new Set(Object.keys(meta));
  }

  /** Start from verified metadata (the result of updateTrustData). */
  static fromTrusted(repo: TrustedRepository): PublishState {
    const s = new PublishState(
      repo.gun,
      plain(repo.root.canonical),
      plain(repo.snapshot.canonical),
      false,
    );
    for (const [name, file] of repo.targets) {
      s.roles.set(name, {
        signed: normalizeTargets(plain(file.canonical)),
        dirty: false,
      });
    }
    return s;
  }

  /** A repository being initialized: `root` and an empty `targets`, both to be signed. */
  static initial(gun: string, root: SignedJSON): PublishState {
    const s = new PublishState(gun, root, undefined, true);
    s.roles.set('targets', { signed: emptyTargets(), dirty: true });
    return s;
  }

  /** The targets JSON of `role`, if the repository has (a verified) one. */
  targets(role: string): TargetsJSON | undefined {
    return this.roles.get(role)?.signed;
  }

  /** Role names whose file changed, parents before children. */
  dirtyRoles(): string[] {
    return [...this.roles]
      .filter(([, e]) => e.dirty)
      .map(([n]) => n)
      .sort((a, b) => a.split('/').length - b.split('/').length);
  }

  private entry(role: string, create: boolean): RoleEntry | undefined {
    const e = this.roles.get(role);
    if (e || !create) return e;
    if (this.published.has(role)) {
      throw new ImgsignError(
        'TRUST',
        `${this.gun}: cannot sign ${role}: its current metadata on the server did not verify (expired or under-signed)`,
      );
    }
    const created: RoleEntry = { signed: emptyTargets(), dirty: true };
    this.roles.set(role, created);
    return created;
  }

  private touch(role: string, create: boolean): TargetsJSON | undefined {
    const e = this.entry(role, create);
    if (!e) return undefined;
    e.dirty = true;
    return e.signed;
  }

  /** Add (or replace) target `name` in `role`, creating the role's file if needed. */
  addTarget(role: string, name: string, meta: TargetMetaJSON): void {
    this.touch(role, true)!.targets[name] = meta;
  }

  /** Remove `name` from `role`; a role without a file is left alone. */
  removeTarget(role: string, name: string): void {
    const t = this.touch(role, false);
    if (t) delete t.targets[name];
  }

  private parentOf(name: string): TargetsJSON {
    if (!isDelegationName(name)) {
      throw new ImgsignError(
        'USAGE',
        `"${name}" is not a valid delegation role name`,
      );
    }
    const parent = parentRole(name);
    const t = this.touch(parent, false);
    if (!t) {
      throw new ImgsignError(
        'TRUST',
        `${this.gun}: cannot change delegation ${name}: its parent ${parent} has no metadata`,
      );
    }
    return t;
  }

  /**
   * Create delegation `name` (threshold 1) or add to it: the keys (by key
   * ID) and the paths not already there.
   */
  addDelegation(
    name: string,
    keys: readonly TufKeyJSON[],
    paths: readonly string[],
  ): void {
    const parent = this.parentOf(name);
    let role = parent.delegations.roles.find((r) => r.name === name);
    if (!role) {
      role = { name, keyids: [], threshold: 1, paths: [] };
      parent.delegations.roles.push(role);
    }
    for (const k of keys) {
      const id = keyID(k);
      parent.delegations.keys[id] = k;
      if (!role.keyids.includes(id)) role.keyids.push(id);
    }
    for (const p of paths) if (!role.paths.includes(p)) role.paths.push(p);
  }

  /** Remove keys (by key ID or canonical ID) from delegation `name`. */
  removeDelegationKeys(name: string, ids: readonly string[]): void {
    const parent = this.parentOf(name);
    const role = parent.delegations.roles.find((r) => r.name === name);
    if (role) {
      role.keyids = role.keyids.filter(
        (id) =>
          !ids.includes(id) && !ids.includes(this.canonical(parent, id) ?? id),
      );
    }
    purgeUnusedKeys(parent);
  }

  /** Remove delegation `name` (and any file of it or below it) from the repository. */
  removeDelegation(name: string): void {
    const parent = this.parentOf(name);
    parent.delegations.roles = parent.delegations.roles.filter(
      (r) => r.name !== name,
    );
    purgeUnusedKeys(parent);
    for (const role of [...this.roles.keys()]) {
      if (role === name || role.startsWith(`${name}/`)) {
        this.roles.delete(role);
        this.deleted.add(role);
      }
    }
    if (this.published.has(name)) this.deleted.add(name);
  }

  private canonical(parent: TargetsJSON, id: string): string | undefined {
    const k = parent.delegations.keys[id];
    if (!k) return undefined;
    try {
      return canonicalKeyID(parseTufKey(k, `${this.gun} key ${id}`));
    } catch {
      return undefined;
    }
  }

  /** Every delegation listed by a loaded targets file, parents first (notary GetDelegationRoles). */
  delegations(): DelegationInfo[] {
    const out: DelegationInfo[] = [];
    const queue = ['targets'];
    while (queue.length > 0) {
      const name = queue.shift()!;
      const t = this.targets(name);
      if (!t) continue;
      for (const r of t.delegations.roles) {
        out.push({
          ...r,
          parent: name,
          canonicalKeyIDs: r.keyids.map((id) => this.canonical(t, id) ?? id),
        });
        queue.push(r.name);
      }
    }
    return out;
  }

  /** `delegations()` entry for `name`, if any. */
  delegation(name: string): DelegationInfo | undefined {
    return this.delegations().find((d) => d.name === name);
  }
}

/** Drop delegation keys no role of this file lists (notary does this on every key change). */
function purgeUnusedKeys(t: TargetsJSON): void {
  const used = new Set(t.delegations.roles.flatMap((r) => r.keyids));
  for (const id of Object.keys(t.delegations.keys)) {
    if (!used.has(id)) delete t.delegations.keys[id];
  }
}
