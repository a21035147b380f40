/**
 * SPEC §7.6: cached metadata is as untrusted as the server's. A cached
 * root that no longer verifies is fatal (never a silent new trust on first
 * use); cached targets that do not match the snapshot are fetched again
 * and the cache repaired.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readTrustedRepository } from '../../src/notary/repository.js';
import { buildRepo, tamper } from '../helpers/notary-tuf/fake-repo.js';
import { trustFailure } from '../helpers/notary-tuf/memory-source.js';
import { tempDir } from '../helpers/paths.js';
import { serveRepo, type ServedRepo } from './notary-cache-server.js';

const gun = 'example.com/hostile/tampered';
const now = new Date();

describe('when the trust cache was tampered with', () => {
  let served: ServedRepo | undefined;
  afterEach(async () => {
    await served?.stop();
    served = undefined;
  });

  async function cached() {
    const repo = buildRepo({ gun, now, targets: { v1: Buffer.from('m') } });
    served = await serveRepo(gun, repo.files);
    const trustDir = await tempDir();
    const r = await served.open(trustDir);
    try {
      await readTrustedRepository(r);
    } finally {
      await r.close();
    }
    const meta = join(trustDir, 'tuf', gun, 'metadata');
    return { trustDir, meta, repo, served };
  }

  it('refuses a cached root whose signature no longer verifies', async () => {
    const { trustDir, meta, served: s } = await cached();
    const root = await readFile(join(meta, 'root.json'));
    await writeFile(
      join(meta, 'root.json'),
      tamper(root, (f) => {
        f.signed['version'] = 7;
      }),
    );
    const before = s.server.requests.length;
    const r = await s.open(trustDir);
    try {
      const err = await trustFailure(readTrustedRepository(r));
      expect(err.failure).toBe('signature');
      expect(err.message).toMatch(/root/);
    } finally {
      await r.close();
    }
    // No trust-on-first-use of the server's root instead.
    expect(
      s.server.requests
        .slice(before)
        .some((q) => q.path.endsWith('/root.json')),
    ).toBe(false);
  });

  it('fetches targets again when the cached copy does not match the snapshot', async () => {
    const { trustDir, meta, repo, served: s } = await cached();
    await writeFile(
      join(meta, 'targets.json'),
      '{"signed":{},"signatures":[]}',
    );
    const r = await s.open(trustDir);
    try {
      const trusted = await readTrustedRepository(r);
      expect([...trusted.verified.get('targets')!.targets.keys()]).toEqual([
        'v1',
      ]);
    } finally {
      await r.close();
    }
    const repaired = await readFile(join(meta, 'targets.json'));
    expect(repaired.equals(repo.files.get('targets')!)).toBe(true);
  });
});
