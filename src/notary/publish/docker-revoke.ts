/**
 * `docker trust revoke IMAGE[:TAG]` (SPEC §7.11): with a tag, find it the
 * way docker resolves tags (targets/releases, then targets) and remove it
 * from every role this client can sign; without one, do that for every
 * signed tag. One publish. Confirmation is the caller's (the command).
 */
import { ImgsignError, TrustError } from '../../errors.js';
import {
  allTargets,
  getTargetByName,
  RELEASES_ROLE,
} from '../tuf/delegations.js';
import type { PublishContext } from './context.js';
import { loadForPublish, publishState } from './publish.js';
import { signableRoles } from './signable-roles.js';

export interface RevokeOptions {
  /** The image as typed (messages). */
  image: string;
  /** Undefined: every signed tag. */
  tag?: string;
}

export interface RevokeResult {
  gun: string;
  /** Tags removed, with the roles each was removed from. */
  removed: { tag: string; roles: string[] }[];
}

export async function revokeTrust(
  ctx: PublishContext,
  o: RevokeOptions,
): Promise<RevokeResult> {
  const context = `could not remove signature for ${o.image}`;
  try {
    const loaded = await loadForPublish(ctx);
    if (!loaded) {
      throw new TrustError(
        'missing',
        `remote trust data does not exist for ${ctx.gun}`,
      );
    }
    const { repo, state } = loaded;
    let tags: string[];
    if (o.tag !== undefined) {
      if (!getTargetByName(repo.verified, o.tag, [RELEASES_ROLE, 'targets'])) {
        throw new TrustError('not-found', `No valid trust data for ${o.tag}`);
      }
      tags = [o.tag];
    } else {
      tags = [...new Set(allTargets(repo.verified).map((t) => t.name))];
      if (tags.length === 0) {
        throw new TrustError('not-found', 'no signed tags to remove');
      }
    }
    const removed: RevokeResult['removed'] = [];
    for (const tag of tags) {
      const roles = await signableRoles(state, ctx.keys, tag);
      for (const role of roles) state.removeTarget(role, tag);
      removed.push({ tag, roles });
    }
    await publishState(state, ctx);
    return { gun: ctx.gun, removed };
  } catch (err) {
    if (err instanceof ImgsignError) throw err.withContext(context);
    throw err;
  }
}
