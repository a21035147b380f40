import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrustError } from '../../src/errors.js';
import { tempDir } from '../helpers/paths.js';
import { buildRepo, certKey, ecKey } from '../helpers/notary-tuf/fake-repo.js';
import {
  startHostileTrustEnv,
  type HostileTrustEnv,
} from './copy-trust-hostile.js';

// Attack: the publisher moved v1 to the good image (version 2); the
// server (or a man in the middle) replays the older, validly signed
// version 1 that still names the evil image. With the newer trust data
// cached, the copy must refuse the rollback, not copy the old digest.
describe('copy with content trust when the server replays older trust data', () => {
  let env: HostileTrustEnv;
  beforeAll(async () => {
    env = await startHostileTrustEnv();
  });
  afterAll(async () => {
    await env.stop();
  });

  it('copies the current digest, then refuses the replayed older version', async () => {
    const now = new Date();
    const keys = {
      root: certKey(env.gun, now),
      targets: ecKey(),
      snapshot: ecKey(),
      timestamp: ecKey(),
    };
    const old = buildRepo({
      gun: env.gun,
      now,
      keys,
      version: 1,
      targets: { v1: env.evil.manifest },
    });
    const current = buildRepo({
      gun: env.gun,
      now,
      keys,
      version: 2,
      targets: { v1: env.good.manifest },
    });
    const trustDir = await tempDir();
    const first = await env.copyWithTrust({
      files: current.files,
      trustDir,
      out: join(await tempDir(), 'first'),
    });
    expect(first.result).toMatchObject({
      manifestDigest: env.good.manifestDigest,
    });
    const before = env.registry.requests.length;
    const out = join(await tempDir(), 'replayed');
    const { result } = await env.copyWithTrust({
      files: old.files,
      trustDir,
      out,
    });
    expect(result).toBeInstanceOf(TrustError);
    expect((result as TrustError).failure).toBe('rollback');
    expect(env.registry.requests.slice(before)).toEqual([]);
    expect(existsSync(out)).toBe(false);
  });
});
