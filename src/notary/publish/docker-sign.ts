/**
 * `docker trust sign IMAGE:TAG` (SPEC §7.11) on a manifest the caller
 * read from the registry: initialize the repository if it has no trust
 * data (root key reused or created, server-held snapshot, a signer named
 * after the registry user in `targets/<user>` and `targets/releases`),
 * then add the tag to every signable role and publish once.
 */
import { describeError, ImgsignError } from '../../errors.js';
import { inspectTrustData } from '../tuf/inspect-data.js';
import type { PublishContext } from './context.js';
import { getOrCreateRoleKey, initializeWithLocalRoot } from './initialize.js';
import {
  loadForPublish,
  publishState,
  type LoadedRepository,
} from './publish.js';
import { signableRoles } from './signable-roles.js';
import { validateSignerName } from './public-key-files.js';
import type { TargetMetaJSON } from './state.js';

import { RELEASES_ROLE } from '../tuf/delegations.js';

export interface SignTagOptions {
  /** The image as the user typed it (messages). */
  image: string;
  tag: string;
  /** The manifest of the tag: `sha256:<hex>` and its byte length. */
  digest: string;
  length: number;
  /** Registry user name: the signer created when the repository is new. */
  username?: string;
  /** Lines for the user (stdout). */
  out: (line: string) => void;
}

export interface SignTagResult {
  gun: string;
  tag: string;
  /** sha256 hex of the signed manifest. */
  digest: string;
  length: number;
  /** Roles the target was added to. */
  roles: string[];
  /** Set when this run created the repository and its signer. */
  createdSigner?: string;
  /** Signers of the previously released target with this tag, if any. */
  existingSigners?: string[];
}

/**
 * The target a tag is signed with: the manifest digest's hex (what the
 * result reports) and the targets-file entry (length, base64 sha256).
 * Only sha256 digests can be signed.
 */
export function tagTarget(
  digest: string,
  length: number,
): { hex: string; meta: TargetMetaJSON } {
  const hex = /^sha256:([0-9a-f]{64})$/.exec(digest)?.[1];
  if (hex === undefined) {
    throw new ImgsignError(
      'UNSUPPORTED',
      `Docker Content Trust signs sha256 manifest digests only, not ${digest}`,
    );
  }
  return {
    hex,
    meta: {
      length,
      hashes: { sha256: Buffer.from(hex, 'hex').toString('base64') },
    },
  };
}

async function initializeWithSigner(
  ctx: PublishContext,
  o: SignTagOptions,
): Promise<string> {
  const user = o.username;
  if (!user) {
    throw new ImgsignError(
      'USAGE',
      `${ctx.gun} has no trust data yet and no registry user name is known to name its first signer: log in to the registry, or run imgsign trust signer add first`,
    );
  }
  validateSignerName(user);
  const state = await initializeWithLocalRoot(ctx);
  const { key: signer } = await getOrCreateRoleKey(
    ctx.keys,
    user,
    ctx.keys.passphrase,
  );
  const pub = {
    keytype: signer.keyType,
    keyval: { private: null, public: signer.publicBytes.toString('base64') },
  };
  try {
    state.addDelegation(`targets/${user}`, [pub], ['']);
    state.addDelegation(RELEASES_ROLE, [pub], ['']);
  } catch (err) {
    throw new ImgsignError(
      'USAGE',
      `could not add signer to repo: ${user}: ${describeError(err)}`,
      { cause: err },
    );
  }
  await publishState(state, ctx);
  return user;
}

/** Sign `o.tag` of `ctx.gun` for the manifest `o.digest`. */
export async function signTag(
  ctx: PublishContext,
  o: SignTagOptions,
  /** The repository the caller has just read, so that it is read once. */
  current?: LoadedRepository,
): Promise<SignTagResult> {
  const { hex, meta } = tagTarget(o.digest, o.length);
  let loaded = current ?? (await loadForPublish(ctx));
  let createdSigner: string | undefined;
  if (!loaded) {
    createdSigner = await initializeWithSigner(ctx, o);
    o.out(`Created signer: ${createdSigner}`);
    o.out(`Finished initializing signed repository for ${o.image}`);
    loaded = await loadForPublish(ctx);
    if (!loaded) {
      throw new ImgsignError(
        'TRUST',
        `${ctx.gun}: the server has no trust data right after it was published`,
      );
    }
  }
  const { repo, state } = loaded;
  o.out(`Signing and pushing trust metadata for ${o.image}`);
  const existing = inspectTrustData(
    repo.root.signed,
    repo.verified,
  ).signedTags.find((r) => r.tag === o.tag);
  try {
    const roles = await signableRoles(state, ctx.keys, o.tag);
    for (const role of roles) state.addTarget(role, o.tag, meta);
    if (existing) {
      const signers = [...existing.signers].sort();
      o.out(
        `Existing signatures for tag ${existing.tag} digest ${existing.digest} from:\n${signers.join(', ')}`,
      );
    }
    await publishState(state, ctx);
    o.out(`Successfully signed ${ctx.gun}:${o.tag}`);
    return {
      gun: ctx.gun,
      tag: o.tag,
      digest: hex,
      length: o.length,
      roles,
      ...(createdSigner ? { createdSigner } : {}),
      ...(existing ? { existingSigners: existing.signers } : {}),
    };
  } catch (err) {
    if (err instanceof ImgsignError) {
      throw err.withContext(`failed to sign ${ctx.gun}:${o.tag}`);
    }
    throw err;
  }
}
