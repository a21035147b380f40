import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signTag } from '../../../../src/notary/publish/docker-sign.js';
import { removeSigner } from '../../../../src/notary/publish/docker-signers.js';
import {
  getOrCreateRoleKey,
  initializeRepository,
} from '../../../../src/notary/publish/initialize.js';
import { publishState } from '../../../../src/notary/publish/publish.js';
import { resolveDockerTag } from '../../../../src/notary/tuf/delegations.js';
import { certificateInfo } from '../../../../src/notary/tuf/x509-info.js';
import {
  DIGEST_A,
  DIGEST_B,
  GUN,
  NOW,
  testRepo,
  type TestRepo,
} from './setup.js';

let t: TestRepo;
beforeEach(async () => {
  t = await testRepo();
});
afterEach(async () => {
  await t.cleanup();
});

const sign = (digest: string, tag = 'v1', username = 'alice') =>
  signTag(t.ctx, {
    image: `${GUN}:${tag}`,
    tag,
    digest,
    length: 1234,
    username,
    out: t.out,
  });

describe('signing a tag of a repository without trust data', () => {
  it('initializes it with a signer for the registry user and signs into targets/alice and targets/releases', async () => {
    const result = await sign(DIGEST_A);
    expect(result.createdSigner).toBe('alice');
    expect(result.roles).toEqual(['targets/alice', 'targets/releases']);
    expect(t.lines).toEqual([
      'Created signer: alice',
      `Finished initializing signed repository for ${GUN}:v1`,
      `Signing and pushing trust metadata for ${GUN}:v1`,
      `Successfully signed ${GUN}:v1`,
    ]);
    // Two POSTs: the initialization (root + targets), then the signature.
    expect(t.server.publishes).toEqual([
      ['root', 'targets'],
      ['targets/alice', 'targets/releases'],
    ]);
    const repo = await t.verify();
    const hit = resolveDockerTag(repo.verified, GUN, 'v1');
    expect(hit).toMatchObject({
      role: 'targets/releases',
      digest: DIGEST_A,
      length: 1234,
    });
    expect([...repo.targets.keys()].sort()).toEqual([
      'targets',
      'targets/alice',
      'targets/releases',
    ]);
    // The root certificate is notary's: CN = GUN, 10 years, not a CA.
    const rootKey = repo.root.signed.keys.get(
      repo.root.signed.roles.root.keyids[0]!,
    )!;
    expect(rootKey.keytype).toBe('ecdsa-x509');
    const info = certificateInfo(rootKey.certificates![0]!);
    expect(info.commonName).toBe(GUN);
    expect(info.notBefore.getTime()).toBe(NOW.getTime());
    expect(info.notAfter.getTime() - info.notBefore.getTime()).toBe(
      3650 * 86_400_000,
    );
    // Snapshot and timestamp keys are the server's.
    expect(t.server.serverKeys.size).toBe(2);
  });

  it('stores root (no gun), targets (with gun) and signer keys encrypted with 0600 files', async () => {
    await sign(DIGEST_A);
    const dir = join(t.trustDir, 'private');
    const headers = await Promise.all(
      (await readdir(dir)).map(async (n) => {
        const text = await readFile(join(dir, n), 'utf8');
        expect(text).toContain('BEGIN ENCRYPTED PRIVATE KEY');
        return text
          .split('\n')
          .filter((l) => /^(role|gun): /.test(l))
          .join(' ');
      }),
    );
    expect(headers.sort()).toEqual(
      ['role: alice', 'role: root', `gun: ${GUN} role: targets`].sort(),
    );
  });

  it('writes what it published to the trust cache', async () => {
    await sign(DIGEST_A);
    expect([...t.cache.files.keys()].sort()).toEqual(
      [
        'root',
        'snapshot',
        'targets',
        'targets/alice',
        'targets/releases',
        'timestamp',
      ].sort(),
    );
    expect(
      Buffer.from(t.cache.files.get('targets/releases')!).equals(
        t.server.files.get('targets/releases')!,
      ),
    ).toBe(true);
  });

  it('refuses to initialize without a registry user name', async () => {
    await expect(
      signTag(t.ctx, {
        image: `${GUN}:v1`,
        tag: 'v1',
        digest: DIGEST_A,
        length: 1,
        out: t.out,
      }),
    ).rejects.toThrow(/no registry user name/);
    expect(t.server.publishes).toEqual([]);
  });
});

describe('signing a tag again', () => {
  it('re-signs with version + 1, reports the existing signers and moves the tag', async () => {
    await sign(DIGEST_A);
    const before = JSON.parse(
      t.server.files.get('targets/releases')!.toString(),
    ) as { signed: { version: number } };
    t.lines.length = 0;
    await sign(DIGEST_B);
    const after = JSON.parse(
      t.server.files.get('targets/releases')!.toString(),
    ) as { signed: { version: number } };
    expect(after.signed.version).toBe(before.signed.version + 1);
    expect(t.lines).toContain(
      `Existing signatures for tag v1 digest ${'a'.repeat(64)} from:\nalice`,
    );
    const repo = await t.verify();
    expect(resolveDockerTag(repo.verified, GUN, 'v1').digest).toBe(DIGEST_B);
  });

  it('after the last signer is removed, targets/releases has no keys and signing fails', async () => {
    await sign(DIGEST_A);
    await removeSigner(t.ctx, {
      signer: 'alice',
      repository: GUN,
      force: true,
      confirm: () => Promise.resolve(true),
    });
    const repo = await t.verify();
    const roles = repo.targets.get('targets')!.signed.delegations.roles;
    expect(roles.map((r) => [r.name, r.keyids.length])).toEqual([
      ['targets/releases', 0],
    ]);
    await expect(sign(DIGEST_B, 'v2')).rejects.toThrow(
      /no valid signing keys for delegation roles/,
    );
  });

  it('signs into targets itself when the repository has no delegations', async () => {
    const { key } = await getOrCreateRoleKey(
      t.ctx.keys,
      'root',
      t.ctx.keys.passphrase,
    );
    const state = await initializeRepository(t.ctx, {
      rootKey: key,
      passphrase: t.ctx.keys.passphrase,
    });
    await publishState(state, t.ctx);
    const result = await sign(DIGEST_A);
    expect(result.roles).toEqual(['targets']);
    expect(result.createdSigner).toBeUndefined();
    const repo = await t.verify();
    expect(resolveDockerTag(repo.verified, GUN, 'v1')).toMatchObject({
      role: 'targets',
      digest: DIGEST_A,
    });
    expect(repo.targets.get('targets')!.signed.version).toBe(2);
  });

  it('a client without the signer key cannot sign: no valid signing keys', async () => {
    await sign(DIGEST_A);
    const other = await t.otherClient();
    await expect(
      signTag(other, {
        image: `${GUN}:v2`,
        tag: 'v2',
        digest: DIGEST_B,
        length: 1,
        username: 'bob',
        out: () => {},
      }),
    ).rejects.toThrow(
      /^failed to sign example.com\/team\/app:v2: no valid signing keys for delegation roles/,
    );
  });
});
