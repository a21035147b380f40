/**
 * Strict parsing of Notary signed files `{"signed":…,"signatures":[…]}`
 * (SPEC §7.2) into typed Root / Targets / Snapshot / Timestamp values. The
 * canonical bytes of `signed` (what signatures cover, §7.3) are computed
 * here from the same parse. Parsing says nothing about trust: callers must
 * verify signatures (verify-role.ts) before using anything.
 *
 * Like notary (Go encoding/json), unknown members are ignored — they are
 * covered by the signatures anyway; duplicate keys, wrong types, missing
 * required fields, `_type` other than the exact capitalized name and
 * version < 1 are errors.
 */
import { TrustError } from '../../errors.js';
import { toPlainValue } from '../../internal/strict-json.js';
import { canonicalizeNode, parseUntrustedJSON } from './canonical-json.js';
import { isDelegationName, parentRole } from './delegation-names.js';
import { decodeBase64, parseTufKey, type PublicTufKey } from './keys.js';
import {
  FieldContext,
  parseFileMeta,
  parseRFC3339,
  type FileMeta,
} from './metadata-fields.js';
import {
  BASE_ROLES,
  type BaseRoleName,
  type RoleKeys,
  type Root,
  type Signature,
  type SignedCommon,
  type SignedFile,
  type Snapshot,
  type Targets,
  type Timestamp,
} from './metadata-types.js';

export * from './metadata-types.js';

interface Envelope {
  ctx: FieldContext;
  signed: Record<string, unknown>;
  file: Omit<SignedFile, 'signed'>;
}

function envelope(untrusted: Uint8Array, gun: string, role: string): Envelope {
  const ctx: FieldContext = new FieldContext(gun, role);
  const raw = Buffer.from(untrusted);
  const root = parseUntrustedJSON(raw, `${gun} ${role}.json`);
  if (root.kind !== 'object') ctx.fail('', 'is not a JSON object');
  const signedNode = root.entries.find((e) => e.key === 'signed')?.value;
  if (signedNode?.kind !== 'object')
    ctx.fail('signed', 'is missing or not an object');
  const outer = toPlainValue(root) as Record<string, unknown>;
  const sigs =
    outer.signatures === null ? [] : ctx.array(outer.signatures, 'signatures');
  const signatures = sigs.map((s, i): Signature => {
    const f = `signatures[${i}]`;
    const o = ctx.object(s, f);
    const sig = decodeBase64(ctx.string(o.sig, `${f}.sig`));
    if (sig === undefined) ctx.fail(`${f}.sig`, 'is not base64');
    return {
      keyid: ctx.string(o.keyid, `${f}.keyid`),
      method: ctx.string(o.method, `${f}.method`),
      sig,
    };
  });
  let canonical: Buffer;
  try {
    canonical = canonicalizeNode(signedNode);
  } catch (err) {
    if (err instanceof TrustError) throw err.withContext(`${gun} ${role}.json`);
    throw err;
  }
  return {
    ctx,
    signed: toPlainValue(signedNode) as Record<string, unknown>,
    file: {
      gun,
      role,
      signatures,
      canonical,
      raw,
    },
  };
}

function common(
  ctx: FieldContext,
  s: Record<string, unknown>,
  type: string,
): SignedCommon {
  if (s._type !== type) {
    ctx.fail(
      'signed._type',
      `is ${JSON.stringify(s._type)}, expected "${type}"`,
    );
  }
  const version = ctx.integer(s.version, 'signed.version', 1);
  const expiresRaw = ctx.string(s.expires, 'signed.expires');
  const expires = parseRFC3339(expiresRaw);
  if (expires === undefined)
    ctx.fail('signed.expires', `is not an RFC 3339 time: ${expiresRaw}`);
  return { version, expires, expiresRaw };
}

function keyMap(
  ctx: FieldContext,
  v: unknown,
  field: string,
): Map<string, PublicTufKey> {
  const out = new Map<string, PublicTufKey>();
  for (const [id, k] of Object.entries(ctx.object(v ?? {}, field))) {
    out.set(id, parseTufKey(k, `${ctx.gun} ${ctx.role}.json ${field}.${id}`));
  }
  return out;
}

function roleKeys(
  ctx: FieldContext,
  v: unknown,
  field: string,
  keys: Map<string, PublicTufKey>,
): RoleKeys {
  const o = ctx.object(v, field);
  const threshold = ctx.integer(o.threshold, `${field}.threshold`, 1);
  const keyids = ctx.stringList(o.keyids ?? [], `${field}.keyids`);
  for (const id of keyids) {
    if (!keys.has(id))
      ctx.fail(`${field}.keyids`, `lists key ${id}, which is not in "keys"`);
  }
  return { keyids, threshold };
}

export function parseRoot(
  untrusted: Uint8Array,
  gun: string,
): SignedFile<Root> {
  const env = envelope(untrusted, gun, 'root');
  const ctx: FieldContext = env.ctx;
  const { signed: s, file } = env;
  const c = common(ctx, s, 'Root');
  const keys = keyMap(ctx, s.keys, 'signed.keys');
  const rolesObj = ctx.object(s.roles, 'signed.roles');
  const roles = {} as Record<BaseRoleName, RoleKeys>;
  for (const r of BASE_ROLES) {
    if (rolesObj[r] === undefined || rolesObj[r] === null) {
      ctx.fail('signed.roles', `has no "${r}" role`);
    }
    roles[r] = roleKeys(ctx, rolesObj[r], `signed.roles.${r}`, keys);
  }
  const cs = s.consistent_snapshot ?? false;
  if (typeof cs !== 'boolean')
    ctx.fail('signed.consistent_snapshot', 'is not a boolean');
  return {
    ...file,
    signed: { _type: 'Root', ...c, keys, roles, consistentSnapshot: cs },
  };
}

/** Parse `targets` or a delegation `targets/<x>` (both have `_type` "Targets"). */
export function parseTargets(
  untrusted: Uint8Array,
  gun: string,
  role: string,
): SignedFile<Targets> {
  if (role !== 'targets' && !isDelegationName(role)) {
    throw new TrustError(
      'format',
      `${gun}: "${role}" is not a targets role name`,
    );
  }
  const env = envelope(untrusted, gun, role);
  const ctx: FieldContext = env.ctx;
  const { signed: s, file } = env;
  const c = common(ctx, s, 'Targets');
  const targets = new Map<string, FileMeta>();
  for (const [name, m] of Object.entries(
    ctx.object(s.targets ?? {}, 'signed.targets'),
  )) {
    targets.set(name, parseFileMeta(ctx, m, `signed.targets.${name}`));
  }
  const d = ctx.object(s.delegations ?? {}, 'signed.delegations');
  const keys = keyMap(ctx, d.keys, 'signed.delegations.keys');
  const seen = new Set<string>();
  const roles = ctx
    .array(d.roles ?? [], 'signed.delegations.roles')
    .map((r, i) => {
      const f = `signed.delegations.roles[${i}]`;
      const o = ctx.object(r, f);
      const name = ctx.string(o.name, `${f}.name`);
      if (!isDelegationName(name))
        ctx.fail(`${f}.name`, `"${name}" is not a valid delegation name`);
      if (parentRole(name) !== role) {
        ctx.fail(`${f}.name`, `"${name}" is not a direct child of ${role}`);
      }
      if (seen.has(name)) ctx.fail(`${f}.name`, `"${name}" is delegated twice`);
      seen.add(name);
      const paths =
        o.paths === undefined || o.paths === null
          ? []
          : ctx.stringList(o.paths, `${f}.paths`);
      return { name, paths, ...roleKeys(ctx, o, f, keys) };
    });
  return {
    ...file,
    signed: { _type: 'Targets', ...c, targets, delegations: { keys, roles } },
  };
}

export function parseSnapshot(
  untrusted: Uint8Array,
  gun: string,
): SignedFile<Snapshot> {
  const env = envelope(untrusted, gun, 'snapshot');
  const ctx: FieldContext = env.ctx;
  const { signed: s, file } = env;
  const c = common(ctx, s, 'Snapshot');
  const metaObj = ctx.object(s.meta, 'signed.meta');
  const meta = new Map<string, FileMeta>();
  for (const required of ['root', 'targets']) {
    if (metaObj[required] === undefined)
      ctx.fail('signed.meta', `has no "${required}" entry`);
  }
  for (const [name, m] of Object.entries(metaObj)) {
    const base = name === 'root' || name === 'targets';
    meta.set(
      name,
      parseFileMeta(ctx, m, `signed.meta.${name}`, {
        requireSha256: base,
        requireSupportedHash: base,
      }),
    );
  }
  return { ...file, signed: { _type: 'Snapshot', ...c, meta } };
}

export function parseTimestamp(
  untrusted: Uint8Array,
  gun: string,
): SignedFile<Timestamp> {
  const env = envelope(untrusted, gun, 'timestamp');
  const ctx: FieldContext = env.ctx;
  const { signed: s, file } = env;
  const c = common(ctx, s, 'Timestamp');
  const metaObj = ctx.object(s.meta, 'signed.meta');
  if (metaObj.snapshot === undefined)
    ctx.fail('signed.meta', 'has no "snapshot" entry');
  const snapshot = parseFileMeta(
    ctx,
    metaObj.snapshot,
    'signed.meta.snapshot',
    {
      requireSha256: true,
      requireSupportedHash: true,
    },
  );
  return { ...file, signed: { _type: 'Timestamp', ...c, snapshot } };
}

/** Parse any role file by its role name. */
export function parseMetadata(
  untrusted: Uint8Array,
  gun: string,
  role: string,
): SignedFile {
  switch (role) {
    case 'root':
      return parseRoot(untrusted, gun);
    case 'snapshot':
      return parseSnapshot(untrusted, gun);
    case 'timestamp':
      return parseTimestamp(untrusted, gun);
    default:
      return parseTargets(untrusted, gun, role);
  }
}
