/**
 * Generated Notary repositories for tests: keys, a root certificate with
 * CN = GUN, and root/targets/delegations/snapshot/timestamp files signed
 * with src/notary/tuf/sign.ts. Every piece can be overridden (mutate the
 * `signed` JSON before signing, sign with other keys) to build the hostile
 * inputs of SPEC §8.
 */
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import {
  keyID,
  tufKeyFromCertificatePEM,
  tufKeyFromPublicKey,
  type TufKeyJSON,
} from '../../../src/notary/tuf/keys.js';
import { formatRFC3339 } from '../../../src/notary/tuf/metadata-fields.js';
import {
  signMetadata,
  type SignedJSON,
  type SigningKey,
} from '../../../src/notary/tuf/sign.js';
import { makeCert, type CertOptions } from './make-cert.js';

export interface RepoKey {
  priv: KeyObject;
  json: TufKeyJSON;
  id: string;
  signing: SigningKey;
}

function repoKey(priv: KeyObject, json: TufKeyJSON): RepoKey {
  const id = keyID(json);
  return { priv, json, id, signing: { privateKey: priv, keyID: id } };
}

export function ecKey(): RepoKey {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return repoKey(privateKey, tufKeyFromPublicKey(privateKey));
}

export function rsaKey(bits = 2048): RepoKey {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return repoKey(privateKey, tufKeyFromPublicKey(privateKey));
}

export function edKey(): RepoKey {
  const { privateKey } = generateKeyPairSync('ed25519');
  return repoKey(privateKey, tufKeyFromPublicKey(privateKey));
}

const YEAR_MS = 365 * 86_400_000;

/** A root key: a self-signed certificate (default CN = gun, valid ±1 year around now). */
export function certKey(
  gun: string,
  now: Date,
  cert: Partial<CertOptions> = {},
  priv?: KeyObject,
): RepoKey {
  const key =
    priv ?? generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const pem = makeCert({
    cn: gun,
    key,
    notBefore: new Date(now.getTime() - YEAR_MS),
    notAfter: new Date(now.getTime() + 10 * YEAR_MS),
    ...cert,
  });
  return repoKey(key, tufKeyFromCertificatePEM(pem));
}

export interface FileMetaJSON {
  length: number;
  hashes: Record<string, string>;
}

export function fileMeta(bytes: Uint8Array): FileMetaJSON {
  const h = (alg: string): string =>
    createHash(alg).update(bytes).digest('base64');
  return {
    length: bytes.length,
    hashes: { sha256: h('sha256'), sha512: h('sha512') },
  };
}

export interface DelegationSpec {
  name: string;
  keys: RepoKey[];
  paths?: string[];
  threshold?: number;
  targets?: Record<string, Uint8Array>;
}

export type RoleKeys = Record<
  'root' | 'targets' | 'snapshot' | 'timestamp',
  RepoKey
>;

export interface RepoOptions {
  gun: string;
  now: Date;
  keys?: Partial<RoleKeys>;
  /** Version of every file (default 1). */
  version?: number;
  targets?: Record<string, Uint8Array>;
  /** Delegations, parents before children (`targets/a` before `targets/a/b`). */
  delegations?: DelegationSpec[];
  /** Edit a role's `signed` JSON before it is signed. */
  mutate?: Record<string, (signed: SignedJSON) => void>;
  /** Sign a role with these keys instead of its own. */
  signWith?: Record<string, SigningKey[]>;
  /** Rewrite a role's file bytes after signing (before parents hash them). */
  rewrite?: Record<string, (file: Buffer) => Buffer>;
}

export interface FakeRepo {
  gun: string;
  keys: RoleKeys;
  files: Map<string, Buffer>;
}

const DAY_MS = 86_400_000;

/** A complete, valid repository (unless options make it hostile). */
export function buildRepo(o: RepoOptions): FakeRepo {
  const keys: RoleKeys = {
    root: o.keys?.root ?? certKey(o.gun, o.now),
    targets: o.keys?.targets ?? ecKey(),
    snapshot: o.keys?.snapshot ?? ecKey(),
    timestamp: o.keys?.timestamp ?? ecKey(),
  };
  const version = o.version ?? 1;
  const expires = (days: number): string =>
    formatRFC3339(new Date(o.now.getTime() + days * DAY_MS));
  const files = new Map<string, Buffer>();
  const emit = (role: string, signed: SignedJSON, own: RepoKey[]): void => {
    o.mutate?.[role]?.(signed);
    const signers = o.signWith?.[role] ?? own.map((k) => k.signing);
    let bytes = signMetadata(signed, signers);
    if (o.rewrite?.[role]) bytes = o.rewrite[role](bytes);
    files.set(role, bytes);
  };
  const role = (k: RepoKey) => ({ keyids: [k.id], threshold: 1 });
  emit(
    'root',
    {
      _type: 'Root',
      consistent_snapshot: false,
      expires: expires(3650),
      keys: Object.fromEntries(Object.values(keys).map((k) => [k.id, k.json])),
      roles: {
        root: role(keys.root),
        targets: role(keys.targets),
        snapshot: role(keys.snapshot),
        timestamp: role(keys.timestamp),
      },
      version,
    },
    [keys.root],
  );
  const targetsJSON = (
    targets: Record<string, Uint8Array> = {},
    children: DelegationSpec[],
  ): SignedJSON => ({
    _type: 'Targets',
    delegations: {
      keys: Object.fromEntries(
        children.flatMap((d) => d.keys.map((k) => [k.id, k.json])),
      ),
      roles: children.map((d) => ({
        keyids: d.keys.map((k) => k.id),
        name: d.name,
        paths: d.paths ?? [''],
        threshold: d.threshold ?? 1,
      })),
    },
    expires: expires(1095),
    targets: Object.fromEntries(
      Object.entries(targets).map(([n, b]) => [n, fileMeta(b)]),
    ),
    version,
  });
  const dels = o.delegations ?? [];
  const childrenOf = (parent: string): DelegationSpec[] =>
    dels.filter((d) => d.name.slice(0, d.name.lastIndexOf('/')) === parent);
  // Children first so a parent could hash them; order does not matter otherwise.
  for (const d of [...dels].reverse()) {
    emit(d.name, targetsJSON(d.targets, childrenOf(d.name)), d.keys);
  }
  emit('targets', targetsJSON(o.targets, childrenOf('targets')), [
    keys.targets,
  ]);
  const meta: Record<string, FileMetaJSON> = {};
  for (const [r, b] of files) meta[r] = fileMeta(b);
  emit(
    'snapshot',
    { _type: 'Snapshot', expires: expires(1095), meta, version },
    [keys.snapshot],
  );
  emit(
    'timestamp',
    {
      _type: 'Timestamp',
      expires: expires(14),
      meta: { snapshot: fileMeta(files.get('snapshot')!) },
      version,
    },
    [keys.timestamp],
  );
  return { gun: o.gun, keys, files };
}

/** Re-sign a file's `signed` after editing it (keeps the file's keys). */
export function resign(
  file: Buffer,
  keys: SigningKey[],
  edit: (signed: SignedJSON) => void,
): Buffer {
  const parsed = JSON.parse(file.toString('utf8')) as { signed: SignedJSON };
  edit(parsed.signed);
  return signMetadata(parsed.signed, keys);
}

export interface UntrustedFileJSON {
  signed: SignedJSON;
  signatures: { keyid: string; method: string; sig: string }[];
}

/** Edit a signed file as JSON (no re-signing): for `rewrite` hooks. */
export function tamper(
  file: Buffer,
  edit: (f: UntrustedFileJSON) => void,
): Buffer {
  const parsed = JSON.parse(file.toString('utf8')) as UntrustedFileJSON;
  edit(parsed);
  return Buffer.from(JSON.stringify(parsed));
}
