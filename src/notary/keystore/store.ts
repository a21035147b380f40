import { lstat, mkdir, readdir, rm, rmdir } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import { describeError, ImgsignError } from '../../errors.js';
import { readBoundedFile } from '../../keys/files.js';
import { writeFileAtomic } from '../../internal/atomic-file.js';
import {
  encodePrivateKeyPem,
  parsePrivateKeyBlock,
  privateKeyBlock,
} from './key-file.js';
import { isLegacyEncrypted } from './legacy-pem.js';
import { withPassphrase, type PassphraseRetriever } from './passphrase.js';
import { encodePem } from './pem.js';
import type { TufPrivateKey } from './tuf-private-key.js';

/**
 * The private keys of a Docker Content Trust directory (`$DOCKER_CONFIG/trust`,
 * SPEC §7.9), compatible with notary's and docker's key file store:
 * `private/<canonical key ID>.key`, dirs 0700, files 0600. The notary ≤ 0.3
 * layout (`private/root_keys/<id>[_root].key`,
 * `private/tuf_keys/<GUN>/<id>[_role].key`) is listed and read in place and
 * migrated by `migrateLegacyKeys()` (which `open` runs unless told not to).
 */
export interface TrustKeyInfo {
  /** Canonical key ID, from the file name (as notary lists keys without passphrases). */
  id: string;
  /** `role:` header, or the `_role` suffix of a legacy file name. */
  role: string;
  /** GUN for targets/snapshot/timestamp keys; '' for root and signer keys. */
  gun: string;
  path: string;
  /** In the pre-0.4 layout (root_keys/, tuf_keys/). */
  legacy: boolean;
}

export interface OpenTrustKeyStoreOptions {
  /** Move legacy-layout keys to private/<id>.key now (default true, as docker does on every use). */
  migrate?: boolean;
}

/** Keys roles that belong to one repository and so carry a `gun:` header. */
const GUN_ROLES = new Set(['targets', 'snapshot', 'timestamp']);
const KEY_ID = /^[0-9a-f]{64}$/;
const MAX_KEY_FILE = 1024 * 1024;
const LEGACY_DIRS = ['root_keys', 'tuf_keys'] as const;

async function isRegularFile(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isFile();
  } catch {
    return false;
  }
}

async function walk(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new ImgsignError(
      'INCONCLUSIVE',
      `cannot list ${dir}: ${describeError(err)}`,
      { cause: err },
    );
  }
  const out: string[] = [];
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(path)));
    else if (e.isFile() && e.name.endsWith('.key')) out.push(path);
  }
  return out;
}

export class TrustKeyStore {
  readonly privateDir: string;

  private constructor(readonly trustDir: string) {
    this.privateDir = join(trustDir, 'private');
  }

  /** The key store of `trustDir` (it need not exist yet). */
  static async open(
    trustDir: string,
    options: OpenTrustKeyStoreOptions = {},
  ): Promise<TrustKeyStore> {
    const store = new TrustKeyStore(trustDir);
    if (options.migrate ?? true) await store.migrateLegacyKeys();
    return store;
  }

  private async readText(path: string): Promise<string> {
    return (await readBoundedFile(path, MAX_KEY_FILE, 'key file')).toString(
      'utf8',
    );
  }

  private async info(path: string): Promise<TrustKeyInfo | undefined> {
    const rel = relative(this.privateDir, path).split(sep);
    const legacy = rel.length > 1;
    let name = basename(path, '.key');
    let suffixRole = '';
    if (legacy && name.includes('_')) {
      [name = '', suffixRole = ''] = name.split('_');
    }
    if (!KEY_ID.test(name)) return undefined;
    let headers: Record<string, string>;
    try {
      headers = privateKeyBlock(await this.readText(path), path).headers;
    } catch {
      return undefined; // not a key file we can use: notary skips it too
    }
    const dirGun =
      legacy && rel[0] === 'tuf_keys' ? rel.slice(1, -1).join('/') : '';
    return {
      id: name,
      role: suffixRole || headers['role'] || '',
      gun: dirGun || headers['gun'] || '',
      path,
      legacy,
    };
  }

  /** Every key, modern layout first; a legacy file whose ID also exists in private/ is hidden. */
  async listKeys(): Promise<TrustKeyInfo[]> {
    const out: TrustKeyInfo[] = [];
    const seen = new Set<string>();
    const modern = (await readdir(this.privateDir).catch(() => []))
      .filter((n) => n.endsWith('.key'))
      .sort()
      .map((n) => join(this.privateDir, n));
    const legacy = (
      await Promise.all(LEGACY_DIRS.map((d) => walk(join(this.privateDir, d))))
    ).flat();
    for (const path of [...modern, ...legacy]) {
      if (!(await isRegularFile(path))) continue;
      const info = await this.info(path);
      if (!info || seen.has(info.id)) continue;
      seen.add(info.id);
      out.push(info);
    }
    return out;
  }

  /** The key with `id`, or undefined. */
  async keyInfo(id: string): Promise<TrustKeyInfo | undefined> {
    return (await this.listKeys()).find((k) => k.id === id);
  }

  /**
   * Decrypt the key `id`, asking `passphrase` if it is encrypted. The key in
   * the file must hash to `id` (a renamed or planted file is KEY_INVALID).
   */
  async getKey(
    id: string,
    passphrase: PassphraseRetriever,
  ): Promise<{ key: TufPrivateKey; info: TrustKeyInfo }> {
    const info = await this.keyInfo(id);
    if (!info) {
      throw new ImgsignError(
        'KEY_NOT_FOUND',
        `no private key ${id} in ${this.privateDir}`,
      );
    }
    const block = privateKeyBlock(await this.readText(info.path), info.path);
    const encrypted =
      block.type === 'ENCRYPTED PRIVATE KEY' || isLegacyEncrypted(block);
    const key = encrypted
      ? await withPassphrase(
          passphrase,
          { keyId: id, role: info.role, createNew: false },
          (p) => parsePrivateKeyBlock(block, p, info.path),
        )
      : parsePrivateKeyBlock(block, undefined, info.path);
    if (key.id !== id) {
      throw new ImgsignError(
        'KEY_INVALID',
        `${info.path} holds key ${key.id}, not ${id}; remove or rename the file`,
      );
    }
    return { key, info };
  }

  private async ensureDirs(): Promise<void> {
    try {
      await mkdir(this.privateDir, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw new ImgsignError(
        'INCONCLUSIVE',
        `cannot create ${this.privateDir}: ${describeError(err)}`,
        { cause: err },
      );
    }
  }

  /**
   * Store `key` as private/<id>.key with `role` (and `gun` only for
   * targets/snapshot/timestamp keys, as notary does), encrypted with a new
   * passphrase from `passphrase` (an empty one stores it unencrypted).
   */
  async addKey(
    key: TufPrivateKey,
    options: { role: string; gun?: string; passphrase: PassphraseRetriever },
  ): Promise<TrustKeyInfo> {
    if (!options.role) {
      throw new ImgsignError('USAGE', `key ${key.id} needs a role`);
    }
    const gun = GUN_ROLES.has(options.role) ? (options.gun ?? '') : '';
    const pass = await options.passphrase({
      keyId: key.id,
      role: options.role,
      createNew: true,
      attempt: 0,
    });
    await this.ensureDirs();
    const path = join(this.privateDir, `${key.id}.key`);
    await writeFileAtomic(
      path,
      encodePrivateKeyPem(key, { role: options.role, gun, passphrase: pass }),
      { mode: 0o600, exactMode: true },
    );
    return { id: key.id, role: options.role, gun, path, legacy: false };
  }

  /**
   * Move legacy-layout keys to private/<id>.key, adding `role:` (from the
   * `_role` suffix) and `gun:` (from the tuf_keys/<GUN>/ path) headers and
   * keeping the encrypted body as it is. Unlike notary, only migrated files
   * are deleted and the old directories only if they end up empty, so a key
   * we cannot read is never lost. Returns the migrated key IDs.
   */
  async migrateLegacyKeys(): Promise<string[]> {
    const migrated: string[] = [];
    for (const info of await this.listKeys()) {
      if (!info.legacy) continue;
      const block = privateKeyBlock(await this.readText(info.path), info.path);
      const headers = { ...block.headers };
      if (info.role) headers['role'] = info.role;
      if (info.gun) headers['gun'] = info.gun;
      await this.ensureDirs();
      await writeFileAtomic(
        join(this.privateDir, `${info.id}.key`),
        encodePem({ ...block, headers }),
        { mode: 0o600, exactMode: true },
      );
      await rm(info.path, { force: true });
      migrated.push(info.id);
    }
    for (const d of LEGACY_DIRS)
      await removeEmptyDirs(join(this.privateDir, d));
    return migrated;
  }
}

/** rmdir `dir` and its subdirectories bottom-up where they are empty. */
async function removeEmptyDirs(dir: string): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    if (e.isDirectory()) await removeEmptyDirs(join(dir, e.name));
  }
  await rmdir(dir).catch(() => undefined);
}
