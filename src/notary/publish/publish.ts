/**
 * Signing and sending a change set (SPEC §7.7): re-sign root if it
 * changed, every dirty targets/delegation file (version + 1, default
 * expiry), the snapshot only when its key is held locally (otherwise the
 * server signs it, and always the timestamp), then one multipart POST.
 * The trust cache is written only after the server accepted everything,
 * each file whole (the cache writes to a temp name and renames), and is
 * then refreshed from the server (refreshCacheAfterPublish), so that it
 * holds the new snapshot and timestamp the server made for the files just
 * published, as docker's does after a push.
 */
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { describeError, ImgsignError, TrustError } from '../../errors.js';
import { describeEnvelope } from '../http-errors.js';
import { NotaryInvalidOperationError } from '../http-errors.js';
import type { PublishFile } from '../http-multipart.js';
import { parentRole } from '../tuf/delegation-names.js';
import type { TufKeyJSON } from '../tuf/keys.js';
import { bumpForResign, signMetadata, type SignedJSON } from '../tuf/sign.js';
import { updateTrustData, type TrustedRepository } from '../tuf/update.js';
import type { PublishContext } from './context.js';
import type { RoleKeyList } from './signing-keys.js';
import { PublishState } from './state.js';

/** The server refused the update (HTTP 400): which check, and what to do. */
export class PublishRejectedError extends ImgsignError {
  /** MALFORMED_JSON, INVALID_UPDATE, VERSION, … */
  readonly serverCode: string | undefined;
  constructor(message: string, serverCode: string | undefined, cause: unknown) {
    super('TRUST', message, { cause });
    this.serverCode = serverCode;
  }
}

export interface LoadedRepository {
  /** The verified metadata (for lookups: tags, signers). */
  repo: TrustedRepository;
  /** An editable copy of it. */
  state: PublishState;
}

/**
 * The verified current state of `ctx.gun`, or undefined when the
 * repository has no trust data yet (no root.json / timestamp on the server).
 */
export async function loadForPublish(
  ctx: PublishContext,
): Promise<LoadedRepository | undefined> {
  try {
    const repo = await updateTrustData({
      gun: ctx.gun,
      source: ctx.server,
      cache: ctx.cache,
      now: ctx.now,
      ...(ctx.warn ? { warn: ctx.warn } : {}),
    });
    return { repo, state: PublishState.fromTrusted(repo) };
  } catch (err) {
    if (err instanceof TrustError && err.failure === 'missing')
      return undefined;
    throw err;
  }
}

interface RootJSON {
  keys: Record<string, TufKeyJSON>;
  roles: Record<string, { keyids: string[]; threshold: number }>;
}

function baseRoleList(root: SignedJSON, role: string): RoleKeyList {
  const r = root as unknown as RootJSON;
  const entry = r.roles[role];
  if (!entry) {
    throw new TrustError('format', `root.json has no "${role}" role`);
  }
  return {
    role,
    keyids: entry.keyids,
    keys: r.keys,
    threshold: entry.threshold,
  };
}

function delegationList(state: PublishState, role: string): RoleKeyList {
  const parentName = parentRole(role);
  const parent = state.targets(parentName);
  const d = parent?.delegations.roles.find((r) => r.name === role);
  if (!parent || !d) {
    throw new TrustError(
      'not-found',
      `${state.gun}: ${role} is not delegated by ${parentName}`,
    );
  }
  return {
    role,
    keyids: d.keyids,
    keys: parent.delegations.keys,
    threshold: d.threshold,
  };
}

function fileMeta(bytes: Uint8Array): Record<string, unknown> {
  const h = (a: string) => createHash(a).update(bytes).digest('base64');
  return {
    length: bytes.length,
    hashes: { sha256: h('sha256'), sha512: h('sha512') },
  };
}

/** What a successful publish sent. */
export interface PublishOutcome {
  /** Role files POSTed, in order. */
  roles: string[];
}

/** Sign what changed in `state` and POST it; throws before anything is sent if a key is missing. */
export async function publishState(
  state: PublishState,
  ctx: PublishContext,
): Promise<PublishOutcome> {
  const files: PublishFile[] = [];
  const sign = async (
    role: string,
    signed: SignedJSON,
    list: RoleKeyList,
  ): Promise<void> => {
    const keys = await ctx.keys.signingKeys(list, ctx.gun);
    const bumped = bumpForResign(signed, role, ctx.now);
    files.push({ role, bytes: signMetadata(bumped, keys) });
  };
  if (state.rootDirty) {
    await sign('root', state.root, baseRoleList(state.root, 'root'));
  }
  for (const role of state.dirtyRoles()) {
    const list =
      role === 'targets'
        ? baseRoleList(state.root, 'targets')
        : delegationList(state, role);
    await sign(role, state.targets(role)!, list);
  }
  if (files.length === 0) return { roles: [] };
  const snapshotList = baseRoleList(state.root, 'snapshot');
  if (
    !state.initial &&
    state.snapshot &&
    (await ctx.keys.holdsAny(snapshotList))
  ) {
    const meta = { ...(state.snapshot.meta as Record<string, unknown>) };
    for (const role of state.deleted) delete meta[role];
    for (const f of files) meta[f.role] = fileMeta(f.bytes);
    await sign('snapshot', { ...state.snapshot, meta }, snapshotList);
  }
  try {
    await ctx.server.publish(ctx.gun, files);
  } catch (err) {
    const mapped = rejected(ctx.gun, err);
    // The server stored nothing: a new repository's own keys are useless.
    if (state.initial && mapped instanceof PublishRejectedError) {
      await Promise.all(state.newKeyFiles.map((f) => rm(f, { force: true })));
    }
    throw mapped;
  }
  for (const f of files) await ctx.cache.set(ctx.gun, f.role, f.bytes);
  await refreshCacheAfterPublish(ctx);
  return { roles: files.map((f) => f.role) };
}

/**
 * After an accepted publish, run the verified update once so the cache
 * holds a consistent set: the server signs the new timestamp (and, unless
 * the client holds its key, the snapshot) listing the files just sent;
 * without them the cached snapshot still names the previous targets, and
 * an offline content-trust pull (cached-timestamp fallback) fails closed
 * until the next online one. The publish already succeeded, so a failure
 * here is only a warning: the next online update refreshes the cache.
 */
async function refreshCacheAfterPublish(ctx: PublishContext): Promise<void> {
  try {
    await updateTrustData({
      gun: ctx.gun,
      source: ctx.server,
      cache: ctx.cache,
      now: ctx.now,
      // No warn: skipped delegations were reported by the update before.
    });
  } catch (err) {
    ctx.warn?.(
      `${ctx.gun}: published, but the local trust cache could not be refreshed (${describeError(err)}); content trust needs the notary server until the next update`,
    );
  }
}

function rejected(gun: string, err: unknown): unknown {
  if (!(err instanceof NotaryInvalidOperationError)) return err;
  const code = err.serverCode;
  const what =
    err.serverCode !== undefined
      ? describeEnvelope({
          code: err.serverCode,
          message: undefined,
          detail: err.detail,
        })
      : err.message;
  if (code === 'VERSION') {
    return new PublishRejectedError(
      `the notary server refused the update of ${gun} (${what}): its trust data changed since it was read (someone else published); run the command again`,
      code,
      err,
    );
  }
  if (code === 'INVALID_UPDATE') {
    return new PublishRejectedError(
      `the notary server refused the update of ${gun} as invalid (${what}): the signed metadata does not match the keys or versions the server holds`,
      code,
      err,
    );
  }
  return new PublishRejectedError(
    `the notary server refused the update of ${gun}: ${err.message}`,
    code,
    err,
  );
}
