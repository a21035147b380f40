/**
 * Walking verified targets metadata as notary's Repo.WalkTargets does,
 * and docker's tag resolution on top of it (SPEC §7.8): walk the
 * `targets/releases` subtree first, then `targets` skipping
 * `targets/releases`; each walk is breadth-first (a role, then its
 * delegations in listed order) and honours path restrictions; the first
 * hit wins and counts only if it came from `targets/releases` or `targets`.
 */
import { TrustError } from '../../errors.js';
import { isParentOf, pathAllowed, restrictPaths } from './delegation-names.js';
import type { FileMeta } from './metadata-fields.js';
import type { Targets } from './metadata.js';

export const RELEASES_ROLE = 'targets/releases';

/**
 * Verified targets files by role name. WARNING: only put files here whose
 * signatures, expiry, version and snapshot hashes were checked; a role that
 * failed (or that no verified parent delegates to) must be absent.
 */
export type VerifiedTargets = ReadonlyMap<string, Targets>;

/** A role reached by the walk, with its effective paths. */
export interface WalkedRole {
  name: string;
  paths: string[];
}

/** Return 'stop' to end the walk; anything else continues into delegations. */
export type TargetsVisitor = (
  role: WalkedRole,
  signed: Targets,
) => 'stop' | undefined;

function isAncestorRole(child: string, ancestor: string): boolean {
  return (
    ancestor === '' || child === ancestor || child.startsWith(`${ancestor}/`)
  );
}

function validDelegations(parent: WalkedRole, signed: Targets): WalkedRole[] {
  return signed.delegations.roles
    .filter((r) => isParentOf(parent.name, r.name))
    .map((r) => ({
      name: r.name,
      paths: restrictPaths(parent.paths, r.paths),
    }));
}

/**
 * Visit, breadth-first from `targets`, every role in the subtree of
 * `startRole` ('' = all) whose paths allow `targetPath` ('' = any) and that
 * is not in `skip` (nor below a skipped role).
 */
export function walkTargets(
  repo: VerifiedTargets,
  targetPath: string,
  startRole: string,
  visit: TargetsVisitor,
  skip: readonly string[] = [],
): void {
  const queue: WalkedRole[] = [{ name: 'targets', paths: [''] }];
  while (queue.length > 0) {
    const role = queue.shift()!;
    const signed = repo.get(role.name);
    if (!signed) continue;
    if (startRole.startsWith(`${role.name}/`)) {
      // Above the wanted subtree: only descend.
      queue.push(...validDelegations(role, signed));
      continue;
    }
    const pathOK = targetPath === '' || pathAllowed(role.paths, targetPath);
    if (
      pathOK &&
      isAncestorRole(role.name, startRole) &&
      !skip.includes(role.name)
    ) {
      if (visit(role, signed) === 'stop') return;
      queue.push(...validDelegations(role, signed));
    }
  }
}

export interface FoundTarget {
  name: string;
  role: string;
  meta: FileMeta;
}

/**
 * Notary's GetTargetByName: walk each of `roles` in turn (skipping the
 * others); the first role that has `name` within its paths wins.
 */
export function getTargetByName(
  repo: VerifiedTargets,
  name: string,
  roles: readonly string[] = ['targets'],
): FoundTarget | undefined {
  for (const start of roles) {
    let found: FoundTarget | undefined;
    const skip = roles.filter((r) => r !== start);
    walkTargets(
      repo,
      name,
      start,
      (role, signed) => {
        const meta = signed.targets.get(name);
        if (!meta) return undefined;
        found = { name, role: role.name, meta };
        return 'stop';
      },
      skip,
    );
    if (found) return found;
  }
  return undefined;
}

export interface ResolvedTag {
  tag: string;
  role: string;
  /** `sha256:<hex>` of the manifest. */
  digest: string;
  length: number;
}

/** Docker's tag lookup: `targets/releases` then `targets`; only those two may answer. */
export function resolveDockerTag(
  repo: VerifiedTargets,
  gun: string,
  tag: string,
): ResolvedTag {
  const hit = getTargetByName(repo, tag, [RELEASES_ROLE, 'targets']);
  if (!hit) {
    throw new TrustError('not-found', `${gun}: No valid trust data for ${tag}`);
  }
  if (hit.role !== RELEASES_ROLE && hit.role !== 'targets') {
    throw new TrustError(
      'not-found',
      `${gun}: No valid trust data for ${tag} (only signed by ${hit.role}, not by targets/releases or targets)`,
    );
  }
  const sha = hit.meta.hashes.sha256;
  if (sha?.length !== 32) {
    throw new TrustError(
      'format',
      `${gun}: trust data for ${tag} has no valid sha256 hash`,
    );
  }
  return {
    tag,
    role: hit.role,
    digest: `sha256:${sha.toString('hex')}`,
    length: hit.meta.length,
  };
}

/**
 * Every target in every reachable role (notary GetAllTargetMetadataByName("")),
 * in walk order. Unlike notary, a target outside its role's paths is left out.
 */
export function allTargets(repo: VerifiedTargets): FoundTarget[] {
  const out: FoundTarget[] = [];
  walkTargets(repo, '', '', (role, signed) => {
    for (const [name, meta] of signed.targets) {
      if (pathAllowed(role.paths, name))
        out.push({ name, role: role.name, meta });
    }
    return undefined;
  });
  return out;
}
