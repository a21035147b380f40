/**
 * Which roles a docker client adds a tag to or removes it from (SPEC
 * §7.11, docker GetSignableRoles): `targets` when the repository has no
 * delegations at all; otherwise every direct child of `targets` whose
 * paths cover the tag and for one of whose keys (canonical ID) a private
 * key is in the trust directory.
 */
import { ImgsignError } from '../../errors.js';
import { pathAllowed } from '../tuf/delegation-names.js';
import type { LocalSigningKeys } from './signing-keys.js';
import type { PublishState } from './state.js';

export async function signableRoles(
  state: PublishState,
  keys: LocalSigningKeys,
  target: string,
): Promise<string[]> {
  const all = state.delegations();
  if (all.length === 0) return ['targets'];
  const held = await keys.canonicalIDs();
  const roles = all
    .filter(
      (d) =>
        d.parent === 'targets' &&
        pathAllowed(d.paths, target) &&
        d.canonicalKeyIDs.some((id) => held.has(id)),
    )
    .map((d) => d.name);
  if (roles.length === 0) {
    throw new ImgsignError(
      'KEY_NOT_FOUND',
      `no valid signing keys for delegation roles (no private key in ${keys.store.privateDir} for a signer of ${state.gun} that may sign ${target})`,
    );
  }
  return roles;
}
