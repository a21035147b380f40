import { readdirSync } from 'node:fs';
import { chmod, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ImgsignError } from '../errors.js';
import {
  mergePublicKeys,
  readKeyMaterial,
  type KeyMaterial,
} from '../signature/pgp/keys.js';
import type { SystemContext } from '../system-context.js';
import { readBoundedFile, writeFileAtomic } from './files.js';
import { describeIndexed } from './keyring-index.js';
import { findOneKey, type KeyDescriptor } from './lookup.js';

/**
 * imgsign's own keyring: a directory (IMGSIGN_HOME, default
 * $XDG_DATA_HOME/imgsign or ~/.local/share/imgsign) holding one binary
 * public key per fingerprint (`keys/<FPR>.pub`) and, for keys we can sign
 * with, the secret key exactly as imported or generated, still encrypted
 * with its passphrase (`keys/<FPR>.sec`, mode 0600). The directory is 0700.
 */
export const MAX_KEY_FILE_BYTES = 1024 * 1024;

export interface KeyringEntry extends KeyMaterial {
  hasSecret: boolean;
}

/** The keyring directory for `sys`; the CLI fills in the default. */
export function keyringDir(sys: SystemContext): string {
  if (sys.imgsignHome !== undefined) return sys.imgsignHome;
  if (sys.homeDir !== undefined) {
    return join(sys.homeDir, '.local/share/imgsign');
  }
  throw new ImgsignError(
    'USAGE',
    'no imgsign keyring directory: set IMGSIGN_HOME or HOME',
  );
}

export class Keyring {
  readonly dir: string;
  private readonly keysDir: string;

  constructor(dir: string) {
    this.dir = dir;
    this.keysDir = join(dir, 'keys');
  }

  static forSystem(sys: SystemContext): Keyring {
    return new Keyring(keyringDir(sys));
  }

  private path(fingerprint: string, kind: 'pub' | 'sec'): string {
    if (!/^[0-9A-F]{40}(?:[0-9A-F]{24})?$/.test(fingerprint)) {
      throw new ImgsignError(
        'KEY_INVALID',
        `invalid fingerprint ${fingerprint}`,
      );
    }
    return join(this.keysDir, `${fingerprint}.${kind}`);
  }

  private async ensureDir(): Promise<void> {
    await mkdir(this.keysDir, { recursive: true, mode: 0o700 });
    await chmod(this.dir, 0o700).catch(() => undefined);
  }

  /** Every key, sorted by fingerprint; [] when the keyring does not exist. */
  async list(): Promise<KeyringEntry[]> {
    return this.entries();
  }

  /** Fingerprints with a public key file (sorted), and those with a secret one. */
  private files(): { publics: string[]; secrets: Set<string> } {
    let names: string[];
    try {
      // Sync, like the reads: signing then never loads node:fs/promises.
      names = readdirSync(this.keysDir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        return { publics: [], secrets: new Set() };
      }
      throw err;
    }
    return {
      publics: names
        .filter((n) => /^[0-9A-F]+\.pub$/.test(n))
        .map((n) => n.slice(0, -4))
        .sort(),
      secrets: new Set(
        names.filter((n) => n.endsWith('.sec')).map((n) => n.slice(0, -4)),
      ),
    };
  }

  /** The key in a public key file (undefined: the file holds none). */
  private async readPublicFile(path: string): Promise<KeyMaterial | undefined> {
    const blob = await readBoundedFile(path, MAX_KEY_FILE_BYTES, 'key file');
    const [material] = await readKeyMaterial(blob, `key file ${path}`);
    return material;
  }

  /** Every key, described from its public key file (and its secret key file: encrypted or not). */
  private async entries(): Promise<KeyringEntry[]> {
    const { publics, secrets } = this.files();
    const entries: KeyringEntry[] = [];
    for (const fpr of publics) {
      const material = await this.readPublicFile(
        join(this.keysDir, `${fpr}.pub`),
      );
      if (material === undefined) continue;
      let isEncrypted = false;
      if (secrets.has(fpr)) {
        const [secret] = await readKeyMaterial(
          await this.readSecret(fpr),
          `secret key file for ${fpr}`,
        );
        isEncrypted = secret?.isEncrypted ?? false;
      }
      entries.push({ ...material, isEncrypted, hasSecret: secrets.has(fpr) });
    }
    return entries;
  }

  /**
   * The secret key `query` names, as stored, or undefined. Keys are found
   * through keys/index.json (keyring-index.ts) without parsing them;
   * signing parses the one secret key once, in the signer.
   */
  async findSecret(
    query: string,
  ): Promise<{ key: KeyDescriptor; secret: Buffer } | undefined> {
    const { publics, secrets } = this.files();
    const keys = await describeIndexed(
      this.keysDir,
      publics.filter((fpr) => secrets.has(fpr)),
      (path) => this.readPublicFile(path),
    );
    const key = findOneKey(keys, query, `the imgsign keyring ${this.dir}`);
    if (key === undefined) return undefined;
    return { key, secret: await this.readSecret(key.fingerprint) };
  }

  /** The one key `query` names (fingerprint, key ID, email, user ID), or undefined. */
  async find(
    query: string,
    options: { secret?: boolean } = {},
  ): Promise<KeyringEntry | undefined> {
    const keys = (await this.list()).filter(
      (k) => !options.secret || k.hasSecret,
    );
    return findOneKey(keys, query, `the imgsign keyring ${this.dir}`);
  }

  /** Like find, but KEY_NOT_FOUND when nothing matches. */
  async get(
    query: string,
    options: { secret?: boolean } = {},
  ): Promise<KeyringEntry> {
    const key = await this.find(query, options);
    if (key === undefined) {
      throw new ImgsignError(
        'KEY_NOT_FOUND',
        `no ${options.secret ? 'secret ' : ''}key matching "${query}" in the imgsign keyring ${this.dir} (see \`imgsign key list\`)`,
      );
    }
    return key;
  }

  async readPublic(fingerprint: string): Promise<Buffer> {
    return readBoundedFile(
      this.path(fingerprint, 'pub'),
      MAX_KEY_FILE_BYTES,
      'key file',
    );
  }

  async readSecret(fingerprint: string): Promise<Buffer> {
    return readBoundedFile(
      this.path(fingerprint, 'sec'),
      MAX_KEY_FILE_BYTES,
      'secret key file',
    );
  }

  /** Store keys (public and/or secret); existing public keys are merged. */
  async add(keys: KeyMaterial[]): Promise<KeyringEntry[]> {
    await this.ensureDir();
    const out: KeyringEntry[] = [];
    for (const key of keys) {
      const pubPath = this.path(key.fingerprint, 'pub');
      let publicKey = key.publicKey;
      try {
        const existing = await this.readPublic(key.fingerprint);
        publicKey = await mergePublicKeys(existing, key.publicKey);
      } catch (err) {
        if (!(err instanceof ImgsignError) || err.code !== 'USAGE') throw err;
      }
      await writeFileAtomic(pubPath, publicKey);
      if (key.secretKey !== undefined) {
        await writeFileAtomic(
          this.path(key.fingerprint, 'sec'),
          key.secretKey,
          { mode: 0o600, exactMode: true },
        );
      }
      out.push({ ...key, publicKey, hasSecret: key.secretKey !== undefined });
    }
    return out;
  }

  /** Import every key in an armored or binary blob. */
  async import(blob: Buffer, what: string): Promise<KeyringEntry[]> {
    return this.add(await readKeyMaterial(blob, what));
  }

  /** Remove a key (public and secret parts). */
  async delete(query: string): Promise<KeyringEntry> {
    const key = await this.get(query);
    await rm(this.path(key.fingerprint, 'sec'), { force: true });
    await rm(this.path(key.fingerprint, 'pub'), { force: true });
    return key;
  }
}
