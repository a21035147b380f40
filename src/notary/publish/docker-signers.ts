/**
 * `docker trust signer add` / `signer remove` for one repository (SPEC
 * §7.11). add: initialize the repository if needed, then add the keys to
 * `targets/NAME` (created with paths [""]) and to `targets/releases`;
 * remove: take the signer's keys out of `targets/releases` and delete
 * `targets/NAME`, after asking when that would leave the released tags
 * under their threshold. Each is one publish.
 */
import { ImgsignError, TrustError } from '../../errors.js';
import { RELEASES_ROLE } from '../tuf/delegations.js';
import type { TufKeyJSON } from '../tuf/keys.js';
import type { PublishContext } from './context.js';
import { initializeWithLocalRoot } from './initialize.js';
import { loadForPublish, publishState } from './publish.js';
import { validateSignerName } from './public-key-files.js';
import type { PublishState } from './state.js';

export interface AddSignerOptions {
  signer: string;
  keys: readonly TufKeyJSON[];
  /** The repository as typed (messages). */
  repository: string;
  out: (line: string) => void;
}

export interface AddSignerResult {
  gun: string;
  signer: string;
  /** True when this run created the repository. */
  initialized: boolean;
}

export async function addSigner(
  ctx: PublishContext,
  o: AddSignerOptions,
): Promise<AddSignerResult> {
  validateSignerName(o.signer);
  const loaded = await loadForPublish(ctx);
  let state: PublishState;
  if (loaded) {
    state = loaded.state;
  } else {
    o.out(`Initializing signed repository for ${o.repository}...`);
    state = await initializeWithLocalRoot(ctx);
    o.out(`Successfully initialized ${JSON.stringify(o.repository)}`);
  }
  state.addDelegation(`targets/${o.signer}`, o.keys, ['']);
  state.addDelegation(RELEASES_ROLE, o.keys, ['']);
  await publishState(state, ctx);
  return { gun: ctx.gun, signer: o.signer, initialized: !loaded };
}

export interface RemoveSignerOptions {
  signer: string;
  repository: string;
  /**
   * Asked when removing the signer would leave targets/releases under its
   * threshold (unless forced); resolves false to keep the signer.
   */
  confirm: (message: string) => Promise<boolean>;
  force: boolean;
}

export interface RemoveSignerResult {
  gun: string;
  signer: string;
  /** False when the user declined. */
  removed: boolean;
  /** Whether the signer's keys carried targets/releases's threshold. */
  lastSigner: boolean;
}

export async function removeSigner(
  ctx: PublishContext,
  o: RemoveSignerOptions,
): Promise<RemoveSignerResult> {
  const role = `targets/${o.signer}`;
  if (role === RELEASES_ROLE) {
    throw new ImgsignError(
      'USAGE',
      'releases is a reserved keyword and cannot be removed',
    );
  }
  validateSignerName(o.signer);
  const loaded = await loadForPublish(ctx);
  if (!loaded) {
    throw new TrustError(
      'missing',
      `error retrieving signers for ${o.repository}: remote trust data does not exist for ${ctx.gun}`,
    );
  }
  const { repo, state } = loaded;
  const signer = state.delegation(role);
  if (!signer) {
    throw new ImgsignError(
      'NOT_FOUND',
      `no signer ${o.signer} for repository ${o.repository}`,
    );
  }
  // docker's isLastSignerForReleases: count the signatures on
  // targets/releases that are not by this signer's keys.
  const releases = state.delegation(RELEASES_ROLE);
  const signatures = repo.targets.get(RELEASES_ROLE)?.signatures ?? [];
  if (signatures.length === 0) {
    throw new ImgsignError(
      'USAGE',
      'all signed tags are currently revoked, use docker trust sign to fix',
    );
  }
  const mine = new Set([...signer.keyids, ...signer.canonicalKeyIDs]);
  const others = signatures.filter((s) => !mine.has(s.keyid)).length;
  const lastSigner = others < (releases?.threshold ?? 1);
  const result = { gun: ctx.gun, signer: o.signer, lastSigner };
  if (lastSigner && !o.force) {
    const ok = await o.confirm(
      `The signer "${o.signer}" signed the last released version of ${o.repository}. Removing this signer will make ${o.repository} unpullable. Are you sure you want to continue?`,
    );
    if (!ok) return { ...result, removed: false };
  }
  if (releases) state.removeDelegationKeys(RELEASES_ROLE, [...mine]);
  state.removeDelegation(role);
  await publishState(state, ctx);
  return { ...result, removed: true };
}
