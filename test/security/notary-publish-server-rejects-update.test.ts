import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileTrustCache } from '../../src/notary/trust-cache.js';
import { signTag } from '../../src/notary/publish/docker-sign.js';
import {
  loadForPublish,
  PublishRejectedError,
  publishState,
} from '../../src/notary/publish/publish.js';
import {
  DIGEST_A,
  DIGEST_B,
  GUN,
  testRepo,
  type TestRepo,
} from '../unit/notary/publish/setup.js';

// The notary server refuses an update (SPEC §7.5: 400 VERSION when the data
// changed underneath, INVALID_UPDATE when a check fails): the user gets a
// message saying which and what to do, and the local trust cache is left as
// it was (written only after the server accepted everything, atomically).
let t: TestRepo;
let cacheDir: string;
beforeEach(async () => {
  t = await testRepo();
  cacheDir = join(t.trustDir, 'cache-root');
  t.ctx.cache = new FileTrustCache(cacheDir);
  await sign(DIGEST_A);
});
afterEach(async () => {
  await t.cleanup();
});

const sign = (digest: string) =>
  signTag(t.ctx, {
    image: `${GUN}:v1`,
    tag: 'v1',
    digest,
    length: 5,
    username: 'alice',
    out: () => {},
  });

async function listing(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      if (e.isDirectory()) await walk(join(d, e.name));
      else out.push(join(d, e.name).slice(dir.length));
    }
  };
  await walk(dir);
  return out.sort();
}

describe('when the server answers VERSION', () => {
  it('says someone else published and to run the command again; the cache is untouched', async () => {
    const before = await listing(cacheDir);
    const releases = t.server.files.get('targets/releases');
    t.server.rejectNext = { code: 'VERSION', detail: 'version 2 exists' };
    const err: unknown = await sign(DIGEST_B).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PublishRejectedError);
    expect((err as PublishRejectedError).serverCode).toBe('VERSION');
    expect((err as Error).message).toBe(
      `failed to sign ${GUN}:v1: the notary server refused the update of ${GUN} (VERSION (version 2 exists)): its trust data changed since it was read (someone else published); run the command again`,
    );
    expect(await listing(cacheDir)).toEqual(before);
    expect(t.server.files.get('targets/releases')).toBe(releases);
  });
});

describe('when the server answers INVALID_UPDATE', () => {
  it('names the failed check', async () => {
    t.server.rejectNext = {
      code: 'INVALID_UPDATE',
      detail: 'targets/releases: signature threshold not met',
    };
    await expect(sign(DIGEST_B)).rejects.toThrow(
      /refused the update of example\.com\/team\/app as invalid \(INVALID_UPDATE \(targets\/releases: signature threshold not met\)\): the signed metadata does not match/,
    );
  });
});

describe('when another client published in between', () => {
  it('the stale update is refused with VERSION and nothing is cached', async () => {
    const loaded = (await loadForPublish(t.ctx))!;
    // Meanwhile the same signer publishes from elsewhere.
    await sign(DIGEST_B);
    const before = await listing(cacheDir);
    loaded.state.addTarget('targets/releases', 'v9', {
      length: 1,
      hashes: { sha256: Buffer.alloc(32, 9).toString('base64') },
    });
    await expect(publishState(loaded.state, t.ctx)).rejects.toMatchObject({
      serverCode: 'VERSION',
      message: expect.stringMatching(/someone else published/) as unknown,
    });
    expect(await listing(cacheDir)).toEqual(before);
  });
});
