/**
 * The private keys a publish signs with, found in the local trust
 * directory by canonical key ID (SPEC §7.1, §7.9): a role lists key IDs
 * (x509 IDs for root), the key files are named by the canonical ID of the
 * same public key. Keys are decrypted once per run; keys made during this
 * run (a new root or signer key) are remembered without a round trip.
 */
import { ImgsignError } from '../../errors.js';
import type { PassphraseRetriever } from '../keystore/passphrase.js';
import type { TrustKeyStore } from '../keystore/store.js';
import type { TufPrivateKey } from '../keystore/tuf-private-key.js';
import { canonicalKeyID, parseTufKey, type TufKeyJSON } from '../tuf/keys.js';
import type { SigningKey } from '../tuf/sign.js';

export interface RoleKeyList {
  /** Role name, for messages. */
  role: string;
  keyids: readonly string[];
  /** Key JSON by key ID (root.json `keys` or the parent's `delegations.keys`). */
  keys: Readonly<Record<string, TufKeyJSON>>;
  threshold: number;
}

export class LocalSigningKeys {
  private available: Promise<Set<string>> | undefined;
  private readonly loaded = new Map<string, TufPrivateKey>();

  constructor(
    readonly store: TrustKeyStore,
    /** For decrypting keys and encrypting the keys a run creates. */
    readonly passphrase: PassphraseRetriever,
  ) {}

  /** Canonical IDs of every private key in the trust directory. */
  async canonicalIDs(): Promise<Set<string>> {
    this.available ??= this.store
      .listKeys()
      .then((keys) => new Set(keys.map((k) => k.id)));
    const ids = await this.available;
    return new Set([...ids, ...this.loaded.keys()]);
  }

  /** A key made (and stored) during this run. */
  remember(key: TufPrivateKey): void {
    this.loaded.set(key.id, key);
  }

  /** The decrypted key with canonical ID `id`. */
  async get(id: string): Promise<TufPrivateKey> {
    const have = this.loaded.get(id);
    if (have) return have;
    const { key } = await this.store.getKey(id, this.passphrase);
    this.loaded.set(id, key);
    return key;
  }

  /** Canonical ID of a key listed in metadata (undefined if it cannot be parsed). */
  static canonicalID(json: TufKeyJSON, where: string): string | undefined {
    try {
      return canonicalKeyID(parseTufKey(json, where));
    } catch {
      return undefined;
    }
  }

  /** Whether we hold a private key for any of the role's keys. */
  async holdsAny(list: RoleKeyList): Promise<boolean> {
    const ids = await this.canonicalIDs();
    return list.keyids.some((id) => {
      const json = list.keys[id];
      const c = json && LocalSigningKeys.canonicalID(json, list.role);
      return c !== undefined && ids.has(c);
    });
  }

  /**
   * Keys to sign `list.role` with: every listed key we hold, each under the
   * key ID the role lists. Fewer than the threshold is KEY_NOT_FOUND.
   */
  async signingKeys(list: RoleKeyList, gun: string): Promise<SigningKey[]> {
    const ids = await this.canonicalIDs();
    const out: SigningKey[] = [];
    for (const keyid of list.keyids) {
      const json = list.keys[keyid];
      const canonical =
        json && LocalSigningKeys.canonicalID(json, `${gun} ${list.role}`);
      if (canonical === undefined || !ids.has(canonical)) continue;
      const key = await this.get(canonical);
      out.push({ privateKey: key.privateKey, keyID: keyid });
    }
    if (out.length < Math.max(1, list.threshold)) {
      throw new ImgsignError(
        'KEY_NOT_FOUND',
        `could not find signing keys for ${list.role} of ${gun} in ${this.store.privateDir} (have ${out.length} of the ${list.threshold} needed among ${list.keyids.join(', ') || 'no keys'})`,
      );
    }
    return out;
  }
}
