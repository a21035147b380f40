/**
 * The Notary client update (SPEC §7.6): root (TOFU or cached) → timestamp
 * → snapshot → targets → delegations, every file checked for signatures,
 * expiry, rollback against the cache and hashes against its parent. On any
 * failure the newest root is fetched (rotation) and the update retried
 * once. The result holds only verified metadata.
 */
import { describeError, InconclusiveError, TrustError } from '../../errors.js';
import type { MetadataSource } from '../metadata-source.js';
import type { VerifiedTargets } from './delegations.js';
import { restrictPaths } from './delegation-names.js';
import type { FileMeta } from './metadata-fields.js';
import {
  parseSnapshot,
  parseTargets,
  parseTimestamp,
  type Root,
  type SignedFile,
  type Snapshot,
  type Targets,
  type Timestamp,
} from './metadata.js';
import { loadTrustedRoot, rotateRoot, type TrustCache } from './update-root.js';
import {
  baseRoleKeys,
  checkFileMeta,
  checkNotExpired,
  checkVersion,
  delegationKeys,
  verifyRoleSignatures,
  type RoleKeySet,
} from './verify-role.js';

export type { TrustCache } from './update-root.js';

export const MAX_TIMESTAMP_BYTES = 1024 * 1024;

export interface UpdateOptions {
  gun: string;
  source: MetadataSource;
  cache: TrustCache;
  now: Date;
  /** Skipped delegations and the timestamp fallback are reported here. */
  warn?: (message: string) => void;
}

export interface TrustedRepository {
  gun: string;
  root: SignedFile<Root>;
  timestamp: SignedFile<Timestamp>;
  snapshot: SignedFile<Snapshot>;
  /** Verified targets files (`targets` and the delegations that passed). */
  targets: Map<string, SignedFile<Targets>>;
  /** The same as `targets`, in the shape delegations.ts walks. */
  verified: VerifiedTargets;
}

type Parse<T extends SignedFile> = (bytes: Uint8Array) => T;

class Updater {
  constructor(
    private readonly o: UpdateOptions,
    private readonly root: SignedFile<Root>,
  ) {}

  /** Verify a file as role `keys` and against the cached version of it. */
  private async check<T extends SignedFile>(
    bytes: Uint8Array,
    parse: Parse<T>,
    keys: RoleKeySet,
  ): Promise<T> {
    const file = parse(bytes);
    verifyRoleSignatures(file, keys);
    checkVersion(file, await this.cachedVersion(file.role, parse, keys));
    checkNotExpired(file, this.o.now);
    return file;
  }

  /** Version of the cached copy if it still verifies, else 0. */
  private async cachedVersion<T extends SignedFile>(
    role: string,
    parse: Parse<T>,
    keys: RoleKeySet,
  ): Promise<number> {
    const cached = await this.o.cache.get(this.o.gun, role);
    if (cached === undefined) return 0;
    try {
      const file = parse(cached);
      verifyRoleSignatures(file, keys);
      return file.signed.version;
    } catch {
      return 0;
    }
  }

  /** A file named in its parent's FILEMETA: cache first, else `<role>.<sha256>`. */
  private async fetchByMeta(role: string, meta: FileMeta): Promise<Uint8Array> {
    const { gun, cache, source } = this.o;
    const cached = await cache.get(gun, role);
    if (cached !== undefined) {
      try {
        checkFileMeta(cached, meta, role);
        return cached;
      } catch {
        // stale cache: download
      }
    }
    const checksum = meta.hashes.sha256?.toString('hex');
    const bytes = await source.get(gun, {
      role,
      checksum,
      maxBytes: meta.length,
    });
    if (bytes === undefined) {
      throw new TrustError(
        'missing',
        `${gun}: ${role}.json not found on ${source.description}`,
      );
    }
    checkFileMeta(bytes, meta, `${gun} ${role}.json`);
    return bytes;
  }

  private async timestamp(): Promise<SignedFile<Timestamp>> {
    const { gun, source, cache } = this.o;
    const keys = baseRoleKeys(this.root.signed, 'timestamp');
    const parse = (b: Uint8Array) => parseTimestamp(b, gun);
    let bytes: Uint8Array | undefined;
    try {
      bytes = await source.get(gun, {
        role: 'timestamp',
        maxBytes: MAX_TIMESTAMP_BYTES,
      });
    } catch (err) {
      const cached = await cache.get(gun, 'timestamp');
      if (!(err instanceof InconclusiveError) || cached === undefined)
        throw err;
      const file = parse(cached);
      verifyRoleSignatures(file, keys);
      checkNotExpired(file, this.o.now);
      this.o.warn?.(`${gun}: using the cached timestamp (${err.message})`);
      return file;
    }
    if (bytes === undefined) {
      throw new TrustError(
        'missing',
        `${gun}: timestamp.json not found on ${source.description}`,
      );
    }
    const file = await this.check(bytes, parse, keys);
    await cache.set(gun, 'timestamp', bytes);
    return file;
  }

  async run(): Promise<TrustedRepository> {
    const { gun, cache } = this.o;
    const root = this.root;
    const timestamp = await this.timestamp();
    const snapBytes = await this.fetchByMeta(
      'snapshot',
      timestamp.signed.snapshot,
    );
    const snapshot = await this.check(
      snapBytes,
      (b) => parseSnapshot(b, gun),
      baseRoleKeys(root.signed, 'snapshot'),
    );
    await cache.set(gun, 'snapshot', snapBytes);
    // The root we trust must be the one the snapshot names.
    checkFileMeta(
      root.raw,
      snapshot.signed.meta.get('root')!,
      `${gun} root.json`,
    );

    const targets = new Map<string, SignedFile<Targets>>();
    type Pending = { name: string; paths: string[]; keys: RoleKeySet };
    const queue: Pending[] = [
      {
        name: 'targets',
        paths: [''],
        keys: baseRoleKeys(root.signed, 'targets'),
      },
    ];
    while (queue.length > 0) {
      const role = queue.shift()!;
      const meta = snapshot.signed.meta.get(role.name);
      if (!meta) continue; // no snapshot entry: the role has no file
      let file: SignedFile<Targets>;
      try {
        const bytes = await this.fetchByMeta(role.name, meta);
        file = await this.check(
          bytes,
          (b) => parseTargets(b, gun, role.name),
          role.keys,
        );
        await cache.set(gun, role.name, bytes);
      } catch (err) {
        const skippable =
          err instanceof TrustError &&
          (err.failure === 'expired' || err.failure === 'signature');
        if (role.name === 'targets' || !skippable) throw err;
        this.o.warn?.(
          `${gun}: ignoring delegation ${role.name}: ${err.message}`,
        );
        continue;
      }
      targets.set(role.name, file);
      // Depth-first: a role's children before its later siblings.
      const children = file.signed.delegations.roles.map((d) => ({
        name: d.name,
        paths: restrictPaths(role.paths, d.paths),
        keys: delegationKeys(file.signed, d),
      }));
      queue.unshift(...children);
    }
    const verified = new Map([...targets].map(([n, f]) => [n, f.signed]));
    return { gun, root, timestamp, snapshot, targets, verified };
  }
}

/**
 * Update and verify the trust data of `gun`. Throws TrustError ('missing'
 * when the repository has no trust data) or the source's own errors.
 */
export async function updateTrustData(
  o: UpdateOptions,
): Promise<TrustedRepository> {
  const ctx = { gun: o.gun, source: o.source, cache: o.cache, now: o.now };
  const start = await loadTrustedRoot(ctx);
  let root = start.root;
  if (start.expired) root = await rotateRoot(ctx, root);
  try {
    return await new Updater(o, root).run();
  } catch (err) {
    if (!(err instanceof TrustError || err instanceof InconclusiveError))
      throw err;
    let newRoot: SignedFile<Root>;
    try {
      newRoot = await rotateRoot(ctx, root);
    } catch (rotationErr) {
      if (!(rotationErr instanceof TrustError)) throw rotationErr;
      throw rotationErr.withContext(
        `${describeError(err)}; then fetching the newest root`,
      );
    }
    return await new Updater(o, newRoot).run();
  }
}
