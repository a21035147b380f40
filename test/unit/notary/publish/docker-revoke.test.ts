import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { revokeTrust } from '../../../../src/notary/publish/docker-revoke.js';
import { signTag } from '../../../../src/notary/publish/docker-sign.js';
import { allTargets } from '../../../../src/notary/tuf/delegations.js';
import { DIGEST_A, DIGEST_B, GUN, testRepo, type TestRepo } from './setup.js';

let t: TestRepo;
beforeEach(async () => {
  t = await testRepo();
  for (const [tag, digest] of [
    ['v1', DIGEST_A],
    ['v2', DIGEST_B],
  ] as const) {
    await signTag(t.ctx, {
      image: `${GUN}:${tag}`,
      tag,
      digest,
      length: 10,
      username: 'alice',
      out: () => {},
    });
  }
});
afterEach(async () => {
  await t.cleanup();
});

const tagsOnServer = async () =>
  [
    ...new Set(allTargets((await t.verify()).verified).map((x) => x.name)),
  ].sort();

describe('revoking one tag', () => {
  it('removes it from every role this client signs, leaving the others', async () => {
    const result = await revokeTrust(t.ctx, { image: `${GUN}:v1`, tag: 'v1' });
    expect(result.removed).toEqual([
      { tag: 'v1', roles: ['targets/alice', 'targets/releases'] },
    ]);
    expect(await tagsOnServer()).toEqual(['v2']);
  });

  it('fails for a tag that is not signed, and publishes nothing', async () => {
    const before = t.server.publishes.length;
    await expect(
      revokeTrust(t.ctx, { image: `${GUN}:nope`, tag: 'nope' }),
    ).rejects.toThrow(
      `could not remove signature for ${GUN}:nope: No valid trust data for nope`,
    );
    expect(t.server.publishes.length).toBe(before);
  });
});

describe('revoking every tag', () => {
  it('removes all of them, then says there is nothing left', async () => {
    const result = await revokeTrust(t.ctx, { image: GUN });
    expect(result.removed.map((r) => r.tag).sort()).toEqual(['v1', 'v2']);
    expect(await tagsOnServer()).toEqual([]);
    await expect(revokeTrust(t.ctx, { image: GUN })).rejects.toThrow(
      `could not remove signature for ${GUN}: no signed tags to remove`,
    );
  });
});

describe('revoking in a repository without trust data', () => {
  it('says so', async () => {
    const other = await testRepo('example.com/team/empty');
    try {
      await expect(
        revokeTrust(other.ctx, {
          image: 'example.com/team/empty:v1',
          tag: 'v1',
        }),
      ).rejects.toThrow(
        /remote trust data does not exist for example.com\/team\/empty/,
      );
    } finally {
      await other.cleanup();
    }
  });
});
