/**
 * SPEC §8 Notary: expired metadata (root/timestamp/snapshot/targets fatal,
 * a delegation ignored), versions lower than the cached ones (rollback),
 * bytes that do not match the parent's length/hashes, and a response
 * longer than the parent's declared length.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { resolveDockerTag } from '../../src/notary/tuf/delegations.js';
import { formatRFC3339 } from '../../src/notary/tuf/metadata-fields.js';
import { checkFileMeta } from '../../src/notary/tuf/verify-role.js';
import {
  buildRepo,
  certKey,
  ecKey,
  type RepoOptions,
  type RoleKeys,
} from '../helpers/notary-tuf/fake-repo.js';
import {
  MemoryCache,
  MemorySource,
  trustFailure,
  updateFrom,
} from '../helpers/notary-tuf/memory-source.js';

const gun = 'docker.io/library/exp';
const now = new Date('2026-11-22T12:00:00Z');
const yesterday = formatRFC3339(new Date(now.getTime() - 86_400_000));
const targets = { latest: Buffer.from('manifest') };

function keys(): RoleKeys {
  return {
    root: certKey(gun, now),
    targets: ecKey(),
    snapshot: ecKey(),
    timestamp: ecKey(),
  };
}

const expire = (s: Record<string, unknown>): void => {
  s.expires = yesterday;
};

describe('when Notary metadata has expired', () => {
  it.each(['timestamp', 'snapshot', 'targets', 'root'])(
    'rejects an expired %s (fatal)',
    async (role) => {
      const built = buildRepo({
        gun,
        now,
        targets,
        mutate: { [role]: expire },
      });
      const err = await trustFailure(updateFrom(gun, built.files, { now }));
      expect(err.failure).toBe('expired');
      expect(err.message).toBe(`${gun} ${role}.json expired at ${yesterday}`);
    },
  );

  it('ignores an expired delegation with a warning', async () => {
    const warnings: string[] = [];
    const built = buildRepo({
      gun,
      now,
      targets,
      delegations: [
        {
          name: 'targets/releases',
          keys: [ecKey()],
          targets: { v1: Buffer.from('1') },
        },
      ],
      mutate: { 'targets/releases': expire },
    });
    const repo = await updateFrom(gun, built.files, {
      now,
      warn: (m) => warnings.push(m),
    });
    expect(warnings).toEqual([
      `${gun}: ignoring delegation targets/releases: ${gun} targets/releases.json expired at ${yesterday}`,
    ]);
    expect(resolveDockerTag(repo.verified, gun, 'latest').role).toBe('targets');
    const err = await trustFailure(() =>
      resolveDockerTag(repo.verified, gun, 'v1'),
    );
    expect(err.message).toBe(`${gun}: No valid trust data for v1`);
  });
});

describe('when the server rolls metadata back', () => {
  async function cachedAt(version: number, k: RoleKeys): Promise<MemoryCache> {
    const cache = new MemoryCache();
    await updateFrom(
      gun,
      buildRepo({ gun, now, targets, keys: k, version }).files,
      {
        now,
        cache,
      },
    );
    return cache;
  }

  it('rejects an older timestamp than the cached one', async () => {
    const k = keys();
    const cache = await cachedAt(3, k);
    const old = buildRepo({ gun, now, targets, keys: k, version: 2 });
    const err = await trustFailure(updateFrom(gun, old.files, { now, cache }));
    expect(err.failure).toBe('rollback');
    expect(err.message).toBe(
      `${gun} timestamp.json version 2 is lower than the trusted version 3; then fetching the newest root: ${gun} root.json version 2 is lower than the trusted version 3`,
    );
  });

  it.each(['snapshot', 'targets'])(
    'rejects an older %s behind a newer timestamp',
    async (role) => {
      const k = keys();
      const cache = await cachedAt(3, k);
      const o: RepoOptions = {
        gun,
        now,
        targets,
        keys: k,
        version: 4,
        mutate: { [role]: (s) => (s.version = 1) },
      };
      const err = await trustFailure(
        updateFrom(gun, buildRepo(o).files, { now, cache }),
      );
      expect(err.message).toBe(
        `${gun} ${role}.json version 1 is lower than the trusted version 3`,
      );
    },
  );
});

describe('when bytes do not match what the parent declares', () => {
  function hostile(role: string, change: (b: Buffer) => Buffer): MemorySource {
    const built = buildRepo({ gun, now, targets });
    const source = new MemorySource(built.files);
    source.files.set(role, change(built.files.get(role)!));
    source.ignoreChecksums = true;
    return source;
  }

  it('rejects a snapshot whose sha256 does not match the timestamp', async () => {
    // Same length, one digit changed: only the hash can tell.
    const source = hostile('snapshot', (b) =>
      Buffer.from(b.toString().replace('"version":1', '"version":2')),
    );
    const err = await trustFailure(updateFrom(gun, source, { now }));
    expect(err.failure).toBe('hash');
    expect(err.message).toBe(
      `${gun} snapshot.json: sha256 checksum does not match`,
    );
  });

  it('rejects targets bytes of another length than the snapshot says', async () => {
    const source = hostile('targets', (b) => b.subarray(0, b.length - 1));
    const err = await trustFailure(updateFrom(gun, source, { now }));
    const got = source.files.get('targets')!.length;
    expect(err.message).toBe(
      `${gun} targets.json: ${got} bytes, expected ${got + 1}`,
    );
  });

  it('caps each download at the parent length (a longer answer is an error)', async () => {
    const source = hostile('targets', (b) =>
      Buffer.concat([b, Buffer.alloc(4096, 0x20)]),
    );
    const err = await trustFailure(updateFrom(gun, source, { now }));
    const req = source.requests.find((r) => r.role === 'targets')!;
    expect(req.maxBytes).toBe(source.files.get('targets')!.length - 4096);
    expect(err.message).toMatch(/targets: longer than \d+ bytes/);
  });

  it('checks every present hash and needs at least one of sha256/sha512', () => {
    const bytes = Buffer.from('payload');
    const sha256 = createHash('sha256').update(bytes).digest();
    const sha512 = createHash('sha512').update(bytes).digest();
    checkFileMeta(bytes, { length: 7, hashes: { sha256, sha512 } }, 'f');
    checkFileMeta(
      bytes,
      { length: 7, hashes: { sha512, md5: Buffer.alloc(1) } },
      'f',
    );
    expect(() =>
      checkFileMeta(
        bytes,
        { length: 7, hashes: { sha256, sha512: Buffer.alloc(64) } },
        'f',
      ),
    ).toThrow('f: sha512 checksum does not match');
    expect(() =>
      checkFileMeta(
        bytes,
        { length: 7, hashes: { md5: Buffer.alloc(16) } },
        'f',
      ),
    ).toThrow('f: no sha256 or sha512 checksum to check');
  });
});
