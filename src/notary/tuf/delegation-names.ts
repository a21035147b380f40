/**
 * Delegation role names and path restrictions (SPEC §7.2): names match
 * `^[-a-z0-9_/]+$`, start with `targets/`, are under 256 characters and
 * already path-clean; a role's parent is its path dirname. A delegation's
 * effective paths are its `paths` that extend one of its parent's
 * effective paths; a target name is allowed iff one of them is its prefix.
 */
import { posix } from 'node:path';

const delegationCharsRe = /^[-a-z0-9_/]+$/;

/** True for a valid delegation name (`targets/<x>[/…]`, not `targets` itself). */
export function isDelegationName(name: string): boolean {
  return (
    name.startsWith('targets/') &&
    delegationCharsRe.test(name) &&
    name.length < 256 &&
    posix.normalize(name) === name &&
    !name.endsWith('/')
  );
}

/** The role that must list a delegation: the dirname of its name. */
export function parentRole(name: string): string {
  return posix.dirname(name);
}

/** Whether `child` is a direct delegation of `parent`. */
export function isParentOf(parent: string, child: string): boolean {
  return isDelegationName(child) && parentRole(child) === parent;
}

/** A child's effective paths: those with a prefix among the parent's effective paths. */
export function restrictPaths(
  parentPaths: readonly string[],
  childPaths: readonly string[],
): string[] {
  return childPaths.filter((p) => parentPaths.some((pp) => p.startsWith(pp)));
}

/** Whether a role with these effective paths may sign `target` (`""` allows everything). */
export function pathAllowed(paths: readonly string[], target: string): boolean {
  return paths.some((p) => target.startsWith(p));
}
