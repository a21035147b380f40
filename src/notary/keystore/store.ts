import { lstat, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
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
import {
  LEGACY_DIRS,
  keyLocation,
  migratedPem,
  removeEmptyDirs,
  walkKeyFiles,
} from './legacy-layout.js';
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
const MAX_KEY_FILE = 1024 * 1024;

async function isRegularFile(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isFile();
  } catch {
    return false;
  }
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
    const location = keyLocation(this.privateDir, path);
    if (!location) return undefined;
    let headers: Record<string, string>;
    try {
      headers = privateKeyBlock(await this.readText(path), path).headers;
    } catch {
      return undefined; // not a key file we can use: notary skips it too
    }
    return {
      id: location.id,
      role: location.role || headers['role'] || '',
      gun: location.gun || headers['gun'] || '',
      path,
      legacy: location.legacy,
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
      await Promise.all(
        LEGACY_DIRS.map((d) => walkKeyFiles(join(this.privateDir, d))),
      )
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
      await this.ensureDirs();
      await writeFileAtomic(
        join(this.privateDir, `${info.id}.key`),
        migratedPem(block, info.role, info.gun),
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
