/**
 * Root handling of the client update (SPEC §7.6 steps 1, 2, 6): trust on
 * first use, the cached root as the trust anchor, and root rotation — a
 * newer root must be signed by a threshold of the previous root's keys
 * (certificates not expiry-checked) and by its own; when it is not, every
 * intermediate `<v>.root.json` is fetched and checked in turn.
 */
import { TrustError } from '../../errors.js';
import type { MetadataSource } from '../metadata-source.js';
import { parseRoot, type Root, type SignedFile } from './metadata.js';
import { validateRoot } from './root-certs.js';
import { checkNotExpired, checkVersion } from './verify-role.js';

/** Root files may be large (many certificates); notary allows 100 MiB. */
export const MAX_ROOT_BYTES = 100 * 1024 * 1024;

/** The local trust cache (`tuf/<GUN>/metadata/<role>.json`). */
export interface TrustCache {
  get(gun: string, role: string): Promise<Uint8Array | undefined>;
  set(gun: string, role: string, bytes: Uint8Array): Promise<void>;
}

export interface RootContext {
  gun: string;
  source: MetadataSource;
  cache: TrustCache;
  now: Date;
}

async function fetchRoot(
  ctx: RootContext,
  version?: number,
): Promise<Uint8Array> {
  const request = { role: 'root', maxBytes: MAX_ROOT_BYTES, version };
  const bytes = await ctx.source.get(ctx.gun, request);
  if (bytes === undefined) {
    const which = version === undefined ? 'root.json' : `${version}.root.json`;
    throw new TrustError(
      version === undefined ? 'missing' : 'rotation',
      version === undefined
        ? `${ctx.gun}: repository does not exist (no ${which} on ${ctx.source.description})`
        : `${ctx.gun}: ${which} is missing on ${ctx.source.description} (gap in root versions)`,
    );
  }
  return bytes;
}

/**
 * The root to start from: the cached one (validated, certificates
 * expiry-checked as notary does — a cached root that fails is fatal), or
 * the server's on first use. `expired` is set when the cached root has
 * expired and must be replaced by a rotation before anything else.
 */
export async function loadTrustedRoot(
  ctx: RootContext,
): Promise<{ root: SignedFile<Root>; expired: boolean; tofu: boolean }> {
  const cached = await ctx.cache.get(ctx.gun, 'root');
  if (cached !== undefined) {
    const root = parseRoot(cached, ctx.gun);
    validateRoot(root, { gun: ctx.gun, now: ctx.now });
    const expired = root.signed.expires.getTime() < ctx.now.getTime();
    return { root, expired, tofu: false };
  }
  const bytes = await fetchRoot(ctx);
  const root = parseRoot(bytes, ctx.gun);
  validateRoot(root, { gun: ctx.gun, now: ctx.now });
  checkNotExpired(root, ctx.now);
  await ctx.cache.set(ctx.gun, 'root', bytes);
  return { root, expired: false, tofu: true };
}

/**
 * Fetch the newest root and move trust from `trusted` to it, walking the
 * intermediate versions if the newest one is not signed by `trusted`'s
 * keys. Caches and returns the new root.
 */
export async function rotateRoot(
  ctx: RootContext,
  trusted: SignedFile<Root>,
): Promise<SignedFile<Root>> {
  const newestBytes = await fetchRoot(ctx);
  const newest = parseRoot(newestBytes, ctx.gun);
  const opts = { gun: ctx.gun, now: ctx.now };
  let previous = trusted;
  try {
    validateRoot(newest, { ...opts, previous: trusted.signed });
  } catch (err) {
    if (!(err instanceof TrustError) || err.failure !== 'rotation') throw err;
    // Walk trusted+1 … newest-1, each signed by its predecessor and itself.
    for (let v = trusted.signed.version + 1; v < newest.signed.version; v++) {
      const step = parseRoot(await fetchRoot(ctx, v), ctx.gun);
      if (step.signed.version !== v) {
        throw new TrustError(
          'rotation',
          `${ctx.gun}: ${v}.root.json holds version ${step.signed.version} (gap in root versions)`,
        );
      }
      validateRoot(step, { ...opts, previous: previous.signed });
      previous = step;
    }
    validateRoot(newest, { ...opts, previous: previous.signed });
  }
  checkVersion(newest, previous.signed.version);
  checkNotExpired(newest, ctx.now);
  await ctx.cache.set(ctx.gun, 'root', newestBytes);
  return newest;
}
