import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InconclusiveError } from '../../../../src/errors.js';
import type { MetadataSource } from '../../../../src/notary/metadata-source.js';
import { signTag } from '../../../../src/notary/publish/docker-sign.js';
import type { PublishContext } from '../../../../src/notary/publish/context.js';
import { resolveDockerTag } from '../../../../src/notary/tuf/delegations.js';
import { updateTrustData } from '../../../../src/notary/tuf/update.js';
import {
  DIGEST_A,
  DIGEST_B,
  GUN,
  NOW,
  testRepo,
  type TestRepo,
} from './setup.js';

// After a publish the local cache must hold what the server now serves
// (its new snapshot and timestamp over the files just sent), so that a
// content-trust pull without the notary server (cached-timestamp
// fallback) resolves the tag just signed instead of failing closed.

let t: TestRepo;
beforeEach(async () => {
  t = await testRepo();
});
afterEach(async () => {
  await t.cleanup();
});

const offline: MetadataSource = {
  description: 'unreachable notary server',
  get: () => Promise.reject(new InconclusiveError('connection refused')),
};

const sign = (ctx: PublishContext, digest: string, tag: string) =>
  signTag(ctx, {
    image: `${GUN}:${tag}`,
    tag,
    digest,
    length: 1234,
    username: 'alice',
    out: t.out,
  });

describe('the trust cache after a publish', () => {
  it('holds the server-made snapshot and timestamp: an offline update resolves the tag just signed', async () => {
    await sign(t.ctx, DIGEST_A, 'v1');
    await sign(t.ctx, DIGEST_B, 'v2');
    for (const role of ['snapshot', 'timestamp', 'targets/releases']) {
      expect(Buffer.from(t.cache.files.get(role)!)).toEqual(
        t.server.files.get(role),
      );
    }
    const warnings: string[] = [];
    const repo = await updateTrustData({
      gun: GUN,
      source: offline,
      cache: t.cache,
      now: NOW,
      warn: (m) => warnings.push(m),
    });
    expect(resolveDockerTag(repo.verified, GUN, 'v2')).toMatchObject({
      role: 'targets/releases',
      digest: DIGEST_B,
    });
    expect(resolveDockerTag(repo.verified, GUN, 'v1').digest).toBe(DIGEST_A);
    expect(warnings).toEqual([
      `${GUN}: using the cached timestamp (connection refused)`,
    ]);
  });

  it('a publish the server accepted still succeeds when the refresh fails, with a warning', async () => {
    await sign(t.ctx, DIGEST_A, 'v1');
    const server = t.server;
    const get = server.get.bind(server);
    const publish = server.publish.bind(server);
    let down = false;
    server.get = (gun, request) =>
      down
        ? Promise.reject(new InconclusiveError('connection reset'))
        : get(gun, request);
    server.publish = async (gun, files) => {
      await publish(gun, files);
      down = true;
    };
    const warnings: string[] = [];
    const result = await sign(
      { ...t.ctx, warn: (m) => warnings.push(m) },
      DIGEST_B,
      'v2',
    );
    expect(result.roles).toEqual(['targets/alice', 'targets/releases']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      new RegExp(
        `^${GUN}: published, but the local trust cache could not be refreshed \\(.*connection reset.*\\); content trust needs the notary server until the next update$`,
      ),
    );
    // The server has it: an online client resolves v2.
    down = false;
    const repo = await t.verify();
    expect(resolveDockerTag(repo.verified, GUN, 'v2').digest).toBe(DIGEST_B);
  });
});
