/**
 * Creating a repository as docker does (SPEC §7.7, §7.11): the first local
 * root key by ID (or a new one), a fresh self-signed certificate for it
 * (CN = GUN), a new local targets key, and the server-held snapshot and
 * timestamp keys. The result is an unsigned PublishState; nothing reaches
 * the server until it is published.
 */
import { generateKeyPairSync } from 'node:crypto';
import { ImgsignError } from '../../errors.js';
import {
  tufPrivateKeyFromKeyObject,
  type TufPrivateKey,
} from '../keystore/tuf-private-key.js';
import type { PassphraseRetriever } from '../keystore/passphrase.js';
import {
  keyID,
  parseTufKey,
  tufKeyFromCertificatePEM,
  type TufKeyJSON,
} from '../tuf/keys.js';
import type { PublishContext } from './context.js';
import { createRootCertificate } from './root-certificate.js';
import type { LocalSigningKeys } from './signing-keys.js';
import { PublishState } from './state.js';

export interface RoleKeyResult {
  key: TufPrivateKey;
  created: boolean;
}

/**
 * The first (by canonical ID) local key whose `role:` is `role`, or a new
 * P-256 key stored with that role (no `gun:` header, as docker's root and
 * signer keys) and encrypted with a passphrase from `passphrase`.
 */
export async function getOrCreateRoleKey(
  keys: LocalSigningKeys,
  role: string,
  passphrase: PassphraseRetriever,
): Promise<RoleKeyResult> {
  const existing = (await keys.store.listKeys())
    .filter((k) => k.role === role)
    .map((k) => k.id)
    .sort();
  if (existing[0] !== undefined) {
    return { key: await keys.get(existing[0]), created: false };
  }
  const key = newECDSAKey();
  await keys.store.addKey(key, { role, passphrase });
  keys.remember(key);
  return { key, created: true };
}

function newECDSAKey(): TufPrivateKey {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return tufPrivateKeyFromKeyObject(privateKey, 'new key');
}

function publicJSON(key: TufPrivateKey): TufKeyJSON {
  return {
    keytype: key.keyType,
    keyval: { private: null, public: key.publicBytes.toString('base64') },
  };
}

async function serverKey(
  ctx: PublishContext,
  role: 'snapshot' | 'timestamp',
): Promise<TufKeyJSON> {
  const untrusted = await ctx.server.getServerKey(ctx.gun, role);
  const json: TufKeyJSON = {
    keytype: untrusted.keytype,
    keyval: { private: null, public: untrusted.public },
  };
  const parsed = parseTufKey(json, `${ctx.gun} server ${role} key`);
  if (parsed.problem !== undefined) {
    throw new ImgsignError(
      'TRUST',
      `${ctx.server.description}: the ${role} key it holds for ${ctx.gun} is unusable: ${parsed.problem}`,
    );
  }
  return parsed.json;
}

export interface InitializeOptions {
  rootKey: TufPrivateKey;
  /** Passphrase for the new targets key. */
  passphrase: PassphraseRetriever;
}

/** A new repository: root (version 0, signed as 1 on publish) and empty targets. */
export async function initializeRepository(
  ctx: PublishContext,
  o: InitializeOptions,
): Promise<PublishState> {
  const snapshot = await serverKey(ctx, 'snapshot');
  const timestamp = await serverKey(ctx, 'timestamp');
  const cert = createRootCertificate({
    privateKey: o.rootKey.privateKey,
    gun: ctx.gun,
    now: ctx.now,
  });
  const rootKey = tufKeyFromCertificatePEM(cert);
  ctx.keys.remember(o.rootKey);
  const targetsKey = newECDSAKey();
  const stored = await ctx.keys.store.addKey(targetsKey, {
    role: 'targets',
    gun: ctx.gun,
    passphrase: o.passphrase,
  });
  ctx.keys.remember(targetsKey);
  const targets = publicJSON(targetsKey);
  const role = (k: TufKeyJSON) => ({ keyids: [keyID(k)], threshold: 1 });
  const keys: Record<string, TufKeyJSON> = {};
  for (const k of [rootKey, targets, snapshot, timestamp]) keys[keyID(k)] = k;
  const state = PublishState.initial(ctx.gun, {
    _type: 'Root',
    consistent_snapshot: false,
    expires: '',
    keys,
    roles: {
      root: role(rootKey),
      snapshot: role(snapshot),
      targets: role(targets),
      timestamp: role(timestamp),
    },
    version: 0,
  });
  state.newKeyFiles.push(stored.path);
  return state;
}

/**
 * A new repository as `docker trust` and `docker push` start one: the
 * first local root key (by ID) reused, or a new one, and the keys'
 * passphrase for the new targets key.
 */
export async function initializeWithLocalRoot(
  ctx: PublishContext,
): Promise<PublishState> {
  const passphrase = ctx.keys.passphrase;
  const { key: rootKey } = await getOrCreateRoleKey(
    ctx.keys,
    'root',
    passphrase,
  );
  return initializeRepository(ctx, { rootKey, passphrase });
}
