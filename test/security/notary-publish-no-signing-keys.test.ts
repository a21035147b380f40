import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedPassphrase } from '../../src/notary/keystore/passphrase.js';
import { TrustKeyStore } from '../../src/notary/keystore/store.js';
import { LocalSigningKeys } from '../../src/notary/publish/signing-keys.js';
import { revokeTrust } from '../../src/notary/publish/docker-revoke.js';
import { signTag } from '../../src/notary/publish/docker-sign.js';
import {
  getOrCreateRoleKey,
  initializeRepository,
} from '../../src/notary/publish/initialize.js';
import { publishState } from '../../src/notary/publish/publish.js';
import {
  DIGEST_A,
  DIGEST_B,
  GUN,
  PASS,
  testRepo,
  type TestRepo,
} from '../unit/notary/publish/setup.js';

// A client without the private keys of a role must not publish anything for
// it: no "signing" with whatever key is at hand, no partial update.
let t: TestRepo;
beforeEach(async () => {
  t = await testRepo();
});
afterEach(async () => {
  await t.cleanup();
});

const sign = (ctx: TestRepo['ctx'], tag: string, digest: string) =>
  signTag(ctx, {
    image: `${GUN}:${tag}`,
    tag,
    digest,
    length: 3,
    username: 'mallory',
    out: () => {},
  });

describe('when no local key belongs to any signer of the repository', () => {
  it('signing fails with "no valid signing keys for delegation roles" and nothing is sent', async () => {
    await sign(t.ctx, 'v1', DIGEST_A);
    const before = t.server.publishes.length;
    const stranger = await t.otherClient();
    await expect(sign(stranger, 'v1', DIGEST_B)).rejects.toThrow(
      'no valid signing keys for delegation roles',
    );
    await expect(
      revokeTrust(stranger, { image: `${GUN}:v1`, tag: 'v1' }),
    ).rejects.toThrow('no valid signing keys for delegation roles');
    expect(t.server.publishes.length).toBe(before);
    const repo = await t.verify();
    expect(
      repo.targets
        .get('targets/releases')!
        .signed.targets.get('v1')!
        .hashes.sha256!.toString('hex'),
    ).toBe('a'.repeat(64));
  });
});

describe('when the repository has no delegations and the targets key is not local', () => {
  it('signing fails naming the missing key, and nothing is sent', async () => {
    const { key } = await getOrCreateRoleKey(
      t.ctx.keys,
      'root',
      t.ctx.keys.passphrase,
    );
    await publishState(
      await initializeRepository(t.ctx, {
        rootKey: key,
        passphrase: t.ctx.keys.passphrase,
      }),
      t.ctx,
    );
    const before = t.server.publishes.length;
    const stranger = await t.otherClient();
    await expect(sign(stranger, 'v1', DIGEST_A)).rejects.toThrow(
      /could not find signing keys for targets of example\.com\/team\/app/,
    );
    expect(t.server.publishes.length).toBe(before);
  });
});

describe('when the signer key file disappeared after the delegation was made', () => {
  it('the signer role is not signable any more, though root and targets keys remain', async () => {
    await sign(t.ctx, 'v1', DIGEST_A);
    const dir = join(t.trustDir, 'private');
    let removed = 0;
    for (const name of await readdir(dir)) {
      if ((await readFile(join(dir, name), 'utf8')).includes('role: mallory')) {
        await rm(join(dir, name));
        removed++;
      }
    }
    expect(removed).toBe(1);
    const keys = new LocalSigningKeys(
      await TrustKeyStore.open(t.trustDir),
      fixedPassphrase(PASS),
    );
    const before = t.server.publishes.length;
    await expect(sign({ ...t.ctx, keys }, 'v2', DIGEST_B)).rejects.toThrow(
      'no valid signing keys for delegation roles',
    );
    expect(t.server.publishes.length).toBe(before);
  });
});
