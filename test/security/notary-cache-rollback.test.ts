/**
 * SPEC §7.6 step 7 / §8: a server that answers with older metadata than
 * the trust cache holds (rollback) is refused, and the cache keeps the
 * newer files.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readTrustedRepository } from '../../src/notary/repository.js';
import {
  buildRepo,
  certKey,
  ecKey,
  type RoleKeys,
} from '../helpers/notary-tuf/fake-repo.js';
import { trustFailure } from '../helpers/notary-tuf/memory-source.js';
import { tempDir } from '../helpers/paths.js';
import { serveRepo, type ServedRepo } from './notary-cache-server.js';

const gun = 'example.com/hostile/rollback';
const now = new Date();
const targets = { latest: Buffer.from('manifest') };

describe('when the notary server rolls back to older metadata than the trust cache', () => {
  let served: ServedRepo | undefined;
  afterEach(async () => {
    await served?.stop();
    served = undefined;
  });

  it('refuses it and keeps the cached newer files', async () => {
    const keys: RoleKeys = {
      root: certKey(gun, now),
      targets: ecKey(),
      snapshot: ecKey(),
      timestamp: ecKey(),
    };
    const v3 = buildRepo({ gun, now, targets, keys, version: 3 });
    served = await serveRepo(gun, v3.files);
    const trustDir = await tempDir();
    const first = await served.open(trustDir);
    try {
      const ok = await readTrustedRepository(first);
      expect(ok.timestamp.signed.version).toBe(3);
    } finally {
      await first.close();
    }

    served.files = buildRepo({ gun, now, targets, keys, version: 2 }).files;
    const second = await served.open(trustDir);
    try {
      const err = await trustFailure(readTrustedRepository(second));
      expect(err.failure).toBe('rollback');
      expect(err.message).toMatch(
        `${gun} timestamp.json version 2 is lower than the trusted version 3`,
      );
    } finally {
      await second.close();
    }
    const cached = await readFile(
      join(trustDir, 'tuf', gun, 'metadata', 'timestamp.json'),
    );
    expect(cached.equals(v3.files.get('timestamp')!)).toBe(true);
  });
});
