import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TrustError } from '../../../../src/errors.js';
import { resolveDockerTag } from '../../../../src/notary/tuf/delegations.js';
import { updateTrustData } from '../../../../src/notary/tuf/update.js';
import { notaryFixtures } from '../../../helpers/paths.js';
import {
  buildRepo,
  certKey,
  ecKey,
} from '../../../helpers/notary-tuf/fake-repo.js';
import { formatRFC3339 } from '../../../../src/notary/tuf/metadata-fields.js';
import {
  MemoryCache,
  MemorySource,
} from '../../../helpers/notary-tuf/memory-source.js';

const now = new Date('2026-11-22T12:00:00Z');

function fixtureFiles(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const f of readdirSync(dir, { recursive: true }) as string[]) {
    if (f.endsWith('.json')) {
      files.set(f.slice(0, -'.json'.length), readFileSync(join(dir, f)));
    }
  }
  return files;
}

const compat = join(notaryFixtures, 'compatibility');

describe('updateTrustData (client update algorithm)', () => {
  it('verifies the notary0.1 repository on first use and caches it', async () => {
    const gun = 'docker.com/notary0.1/samplerepo';
    const source = new MemorySource(
      fixtureFiles(join(compat, 'notary0.1/tuf', gun, 'metadata')),
    );
    const cache = new MemoryCache();
    const repo = await updateTrustData({ gun, source, cache, now });
    expect([...repo.verified.keys()]).toEqual(['targets']);
    expect(resolveDockerTag(repo.verified, gun, 'LICENSE').digest).toBe(
      'sha256:9395bac6fccb26bcb55efb083d1b4b0fe72a1c25f959f056c016120b3bb56a62',
    );
    expect([...cache.files.keys()].sort()).toEqual([
      'root',
      'snapshot',
      'targets',
      'timestamp',
    ]);
    // snapshot/targets are fetched by checksum and capped at the parent's length
    const snap = source.requests.find((r) => r.role === 'snapshot');
    expect(snap).toMatchObject({ maxBytes: 488 });
    expect(snap?.checksum).toMatch(/^[0-9a-f]{64}$/);
    // a second update works from the cache
    const again = await updateTrustData({ gun, source, cache, now });
    expect(again.timestamp.signed.version).toBe(1);
  });

  it('rejects the notary0.3 repository on first use (expired root certificate)', async () => {
    const gun = 'docker.com/notary0.3/tst';
    const source = new MemorySource(
      fixtureFiles(join(compat, 'notary0.3/tuf', gun, 'metadata')),
    );
    await expect(
      updateTrustData({ gun, source, cache: new MemoryCache(), now }),
    ).rejects.toThrow(/no valid root certificate.*expired at 2026-07-25/);
  });

  it('verifies notary0.3 with delegations when its certificate was valid', async () => {
    const gun = 'docker.com/notary0.3/tst';
    const source = new MemorySource(
      fixtureFiles(join(compat, 'notary0.3/tuf', gun, 'metadata')),
    );
    const repo = await updateTrustData({
      gun,
      source,
      cache: new MemoryCache(),
      now: new Date('2020-01-01T00:00:00Z'),
    });
    expect([...repo.verified.keys()]).toEqual(['targets', 'targets/releases']);
    expect(resolveDockerTag(repo.verified, gun, 'hello').role).toBe(
      'targets/releases',
    );
  });

  it('says the repository does not exist when there is no root', async () => {
    const err = await updateTrustData({
      gun: 'docker.io/x/none',
      source: new MemorySource(),
      cache: new MemoryCache(),
      now,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrustError);
    expect((err as TrustError).failure).toBe('missing');
    expect((err as TrustError).message).toMatch(/repository does not exist/);
  });

  it('walks generated delegations depth-first and resolves through releases', async () => {
    const gun = 'docker.io/library/app';
    const alice = ecKey();
    const rel = ecKey();
    const built = buildRepo({
      gun,
      now,
      targets: { admin: Buffer.from('a') },
      delegations: [
        {
          name: 'targets/releases',
          keys: [rel],
          targets: { v1: Buffer.from('1') },
        },
        { name: 'targets/releases/sub', keys: [ecKey()] },
        {
          name: 'targets/alice',
          keys: [alice],
          targets: { v2: Buffer.from('2') },
        },
      ],
    });
    const repo = await updateTrustData({
      gun,
      source: new MemorySource(built.files),
      cache: new MemoryCache(),
      now,
    });
    expect([...repo.verified.keys()]).toEqual([
      'targets',
      'targets/releases',
      'targets/releases/sub',
      'targets/alice',
    ]);
    expect(resolveDockerTag(repo.verified, gun, 'v1').role).toBe(
      'targets/releases',
    );
    expect(resolveDockerTag(repo.verified, gun, 'admin').role).toBe('targets');
  });

  it('uses a cached, still valid timestamp when the server is unreachable', async () => {
    const gun = 'docker.io/library/app';
    const built = buildRepo({ gun, now, targets: { t: Buffer.from('x') } });
    const source = new MemorySource(built.files);
    const cache = new MemoryCache();
    await updateTrustData({ gun, source, cache, now });
    source.offline = true;
    const warnings: string[] = [];
    const repo = await updateTrustData({
      gun,
      source,
      cache,
      now,
      warn: (m) => warnings.push(m),
    });
    expect(repo.verified.get('targets')?.targets.has('t')).toBe(true);
    expect(warnings[0]).toMatch(/using the cached timestamp/);
  });

  it('replaces an expired cached root with the newest one before updating', async () => {
    const gun = 'docker.io/library/app';
    const keys = {
      root: certKey(gun, now),
      targets: ecKey(),
      snapshot: ecKey(),
      timestamp: ecKey(),
    };
    const later = new Date(now.getTime() + 2 * 86_400_000);
    const cache = new MemoryCache();
    const v1 = buildRepo({
      gun,
      now,
      keys,
      mutate: {
        root: (s) => {
          s.expires = formatRFC3339(new Date(now.getTime() + 86_400_000));
        },
      },
    });
    await updateTrustData({
      gun,
      source: new MemorySource(v1.files),
      cache,
      now,
    });
    const v2 = buildRepo({ gun, now: later, keys, version: 2 });
    const source = new MemorySource(v2.files);
    const repo = await updateTrustData({ gun, source, cache, now: later });
    expect(repo.root.signed.version).toBe(2);
    expect(source.requests[0]).toMatchObject({ role: 'root' });
    // With the server still serving the expired root, the update fails.
    const stale = new MemoryCache();
    await updateTrustData({
      gun,
      source: new MemorySource(v1.files),
      cache: stale,
      now,
    });
    const err = await updateTrustData({
      gun,
      source: new MemorySource(v1.files),
      cache: stale,
      now: later,
    }).catch((e: unknown) => e);
    expect((err as TrustError).failure).toBe('expired');
  });
});
