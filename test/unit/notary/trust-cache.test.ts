import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ImgsignError } from '../../../src/errors.js';
import {
  FileTrustCache,
  validateCacheGUN,
  validateCacheRole,
} from '../../../src/notary/trust-cache.js';
import { notaryFixtures, tempDir } from '../../helpers/paths.js';

const gun = 'example.com:5000/team/app';

describe('FileTrustCache', () => {
  it('stores roles at tuf/<GUN>/metadata/<role>.json, delegations under targets/', async () => {
    const dir = await tempDir();
    const cache = new FileTrustCache(dir);
    await cache.set(gun, 'root', Buffer.from('{"r":1}'));
    await cache.set(gun, 'targets/releases', Buffer.from('{"d":1}'));
    const meta = join(dir, 'tuf', 'example.com:5000/team/app/metadata');
    expect(await readFile(join(meta, 'root.json'), 'utf8')).toBe('{"r":1}');
    expect(await readFile(join(meta, 'targets/releases.json'), 'utf8')).toBe(
      '{"d":1}',
    );
    expect((await stat(meta)).mode & 0o777).toBe(0o700);
    expect(Buffer.from((await cache.get(gun, 'root'))!).toString()).toBe(
      '{"r":1}',
    );
  });

  it('answers undefined for a role that is not cached', async () => {
    const cache = new FileTrustCache(await tempDir());
    expect(await cache.get(gun, 'timestamp')).toBeUndefined();
    expect(await cache.get(gun, 'targets/alice')).toBeUndefined();
  });

  it('replaces a file atomically and leaves no temporary files', async () => {
    const dir = await tempDir();
    const cache = new FileTrustCache(dir);
    await cache.set(gun, 'snapshot', Buffer.from('old'));
    await cache.set(gun, 'snapshot', Buffer.from('new'));
    const meta = join(dir, 'tuf', gun, 'metadata');
    expect(await readdir(meta)).toEqual(['snapshot.json']);
    expect(Buffer.from((await cache.get(gun, 'snapshot'))!).toString()).toBe(
      'new',
    );
  });

  it('forgets a GUN with remove()', async () => {
    const cache = new FileTrustCache(await tempDir());
    await cache.set(gun, 'root', Buffer.from('x'));
    await cache.remove(gun);
    expect(await cache.get(gun, 'root')).toBeUndefined();
  });

  it("reads a notary client's trust directory as notary wrote it", async () => {
    const trust = join(notaryFixtures, 'compatibility/notary0.1');
    const fixtureGUN = 'docker.com/notary0.1/samplerepo';
    const cache = new FileTrustCache(trust);
    for (const role of ['root', 'targets', 'snapshot', 'timestamp']) {
      const expected = await readFile(
        join(trust, 'tuf', fixtureGUN, 'metadata', `${role}.json`),
      );
      expect(
        Buffer.from((await cache.get(fixtureGUN, role))!).equals(expected),
      ).toBe(true);
    }
  });
});

describe('cache names', () => {
  it('accepts docker GUNs and TUF role names', () => {
    for (const g of ['docker.io/library/busybox', 'localhost:5000/a', 'a']) {
      expect(() => validateCacheGUN(g)).not.toThrow();
    }
    for (const r of [
      'root',
      'targets',
      'snapshot',
      'timestamp',
      'targets/a/b',
    ]) {
      expect(() => validateCacheRole(r)).not.toThrow();
    }
  });

  it.each(['', 'a//b', '/abs', 'a/', 'a/./b', 'a/../b', 'a\\b', 'a b', 'a\0b'])(
    'rejects the GUN %j',
    (g) => {
      expect(() => validateCacheGUN(g)).toThrow(ImgsignError);
    },
  );

  it.each(['', 'Root', 'targets/', 'targets/../root', 'foo', 'targets/A'])(
    'rejects the role %j',
    (r) => {
      expect(() => validateCacheRole(r)).toThrow(/not a TUF role name/);
    },
  );
});
