/** A publish context over the fake server, a temp trust dir and a memory cache. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixedPassphrase } from '../../../../src/notary/keystore/passphrase.js';
import { TrustKeyStore } from '../../../../src/notary/keystore/store.js';
import type { PublishContext } from '../../../../src/notary/publish/context.js';
import { LocalSigningKeys } from '../../../../src/notary/publish/signing-keys.js';
import { updateTrustData } from '../../../../src/notary/tuf/update.js';
import { MemoryCache } from '../../../helpers/notary-tuf/memory-source.js';
import { FakeNotaryServer } from './fake-server.js';

export const GUN = 'example.com/team/app';
export const NOW = new Date('2026-11-23T03:00:00Z');
export const PASS = 'publish-test-pass';

export interface TestRepo {
  ctx: PublishContext;
  server: FakeNotaryServer;
  cache: MemoryCache;
  trustDir: string;
  lines: string[];
  out: (line: string) => void;
  /** A second client (own trust dir and cache) on the same server. */
  otherClient(): Promise<PublishContext>;
  /** What a fresh client verifies on the server now. */
  verify(): ReturnType<typeof updateTrustData>;
  cleanup(): Promise<void>;
}

export async function testRepo(gun = GUN): Promise<TestRepo> {
  const dirs: string[] = [];
  const server = new FakeNotaryServer(gun, NOW);
  const context = async (): Promise<{
    ctx: PublishContext;
    cache: MemoryCache;
    trustDir: string;
  }> => {
    const trustDir = await mkdtemp(join(tmpdir(), 'imgsign-publish-'));
    dirs.push(trustDir);
    const cache = new MemoryCache();
    const store = await TrustKeyStore.open(trustDir);
    const keys = new LocalSigningKeys(store, fixedPassphrase(PASS));
    return { ctx: { gun, server, cache, keys, now: NOW }, cache, trustDir };
  };
  const first = await context();
  const lines: string[] = [];
  return {
    ...first,
    server,
    lines,
    out: (line) => lines.push(line),
    otherClient: async () => (await context()).ctx,
    verify: () =>
      updateTrustData({
        gun,
        source: server,
        cache: new MemoryCache(),
        now: NOW,
      }),
    cleanup: async () => {
      await Promise.all(
        dirs.map((d) => rm(d, { recursive: true, force: true })),
      );
    },
  };
}

export const DIGEST_A = `sha256:${'a'.repeat(64)}`;
export const DIGEST_B = `sha256:${'b'.repeat(64)}`;
