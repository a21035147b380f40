import { generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signTag } from '../../../../src/notary/publish/docker-sign.js';
import {
  addSigner,
  removeSigner,
} from '../../../../src/notary/publish/docker-signers.js';
import { tufKeyFromPublicKey } from '../../../../src/notary/tuf/keys.js';
import { DIGEST_A, GUN, testRepo, type TestRepo } from './setup.js';

let t: TestRepo;
beforeEach(async () => {
  t = await testRepo();
});
afterEach(async () => {
  await t.cleanup();
});

const pub = () =>
  tufKeyFromPublicKey(
    generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
  );

const delegations = async () =>
  (await t.verify()).targets
    .get('targets')!
    .signed.delegations.roles.map((r) => [r.name, r.keyids.length, r.paths]);

describe('adding a signer', () => {
  it('initializes a new repository in the same publish and delegates targets/NAME and targets/releases', async () => {
    const result = await addSigner(t.ctx, {
      signer: 'bob',
      keys: [pub()],
      repository: GUN,
      out: t.out,
    });
    expect(result).toEqual({ gun: GUN, signer: 'bob', initialized: true });
    expect(t.lines).toEqual([
      `Initializing signed repository for ${GUN}...`,
      `Successfully initialized "${GUN}"`,
    ]);
    expect(t.server.publishes).toEqual([['root', 'targets']]);
    expect(await delegations()).toEqual([
      ['targets/bob', 1, ['']],
      ['targets/releases', 1, ['']],
    ]);
  });

  it('merges keys into an existing releases role', async () => {
    await addSigner(t.ctx, {
      signer: 'bob',
      keys: [pub()],
      repository: GUN,
      out: t.out,
    });
    await addSigner(t.ctx, {
      signer: 'carol',
      keys: [pub(), pub()],
      repository: GUN,
      out: t.out,
    });
    expect(await delegations()).toEqual([
      ['targets/bob', 1, ['']],
      ['targets/releases', 3, ['']],
      ['targets/carol', 2, ['']],
    ]);
    expect(t.server.publishes.at(-1)).toEqual(['targets']);
  });

  it.each(['releases', 'Bob', '-bob', 'bob/x', ''])(
    'refuses the signer name %j before touching the server',
    async (name) => {
      await expect(
        addSigner(t.ctx, {
          signer: name,
          keys: [pub()],
          repository: GUN,
          out: t.out,
        }),
      ).rejects.toThrow(
        /reserved keyword|must start with lowercase alphanumeric/,
      );
      expect(t.server.publishes).toEqual([]);
    },
  );
});

describe('removing a signer', () => {
  beforeEach(async () => {
    await signTag(t.ctx, {
      image: `${GUN}:v1`,
      tag: 'v1',
      digest: DIGEST_A,
      length: 1,
      username: 'alice',
      out: () => {},
    });
  });

  it('asks when its keys carry the releases threshold, and keeps it on "no"', async () => {
    const asked: string[] = [];
    const result = await removeSigner(t.ctx, {
      signer: 'alice',
      repository: GUN,
      force: false,
      confirm: (m) => {
        asked.push(m);
        return Promise.resolve(false);
      },
    });
    expect(result).toMatchObject({ removed: false, lastSigner: true });
    expect(asked).toEqual([
      `The signer "alice" signed the last released version of ${GUN}. Removing this signer will make ${GUN} unpullable. Are you sure you want to continue?`,
    ]);
    expect(await delegations()).toEqual([
      ['targets/alice', 1, ['']],
      ['targets/releases', 1, ['']],
    ]);
  });

  it('removes it on "yes": keys out of releases, the delegation gone', async () => {
    const result = await removeSigner(t.ctx, {
      signer: 'alice',
      repository: GUN,
      force: false,
      confirm: () => Promise.resolve(true),
    });
    expect(result).toMatchObject({ removed: true, lastSigner: true });
    expect(await delegations()).toEqual([['targets/releases', 0, ['']]]);
    const targets = (await t.verify()).targets.get('targets')!.signed;
    expect(targets.delegations.keys.size).toBe(0);
  });

  it('does not ask when another signer still meets the threshold', async () => {
    await addSigner(t.ctx, {
      signer: 'bob',
      keys: [pub()],
      repository: GUN,
      out: () => {},
    });
    // releases carries only alice's signature: bob's keys are not needed.
    const result = await removeSigner(t.ctx, {
      signer: 'bob',
      repository: GUN,
      force: false,
      confirm: () => Promise.reject(new Error('must not ask')),
    });
    expect(result).toMatchObject({ removed: true, lastSigner: false });
    expect(await delegations()).toEqual([
      ['targets/alice', 1, ['']],
      ['targets/releases', 1, ['']],
    ]);
  });

  it('fails for an unknown signer and for releases', async () => {
    await expect(
      removeSigner(t.ctx, {
        signer: 'zed',
        repository: GUN,
        force: true,
        confirm: () => Promise.resolve(true),
      }),
    ).rejects.toThrow(`no signer zed for repository ${GUN}`);
    await expect(
      removeSigner(t.ctx, {
        signer: 'releases',
        repository: GUN,
        force: true,
        confirm: () => Promise.resolve(true),
      }),
    ).rejects.toThrow('releases is a reserved keyword and cannot be removed');
  });
});

describe('removing a signer when nothing is released', () => {
  it('fails as docker does: all signed tags are revoked', async () => {
    const other = await testRepo('example.com/team/fresh');
    try {
      await addSigner(other.ctx, {
        signer: 'bob',
        keys: [pub()],
        repository: 'example.com/team/fresh',
        out: () => {},
      });
      await expect(
        removeSigner(other.ctx, {
          signer: 'bob',
          repository: 'example.com/team/fresh',
          force: true,
          confirm: () => Promise.resolve(true),
        }),
      ).rejects.toThrow(
        'all signed tags are currently revoked, use docker trust sign to fix',
      );
    } finally {
      await other.cleanup();
    }
  });
});

describe('initializing several repositories', () => {
  it('reuses the first local root key, with a new certificate per GUN', async () => {
    await addSigner(t.ctx, {
      signer: 'bob',
      keys: [pub()],
      repository: GUN,
      out: () => {},
    });
    const other = await testRepo('example.com/team/other');
    try {
      const ctx = { ...other.ctx, keys: t.ctx.keys };
      await addSigner(ctx, {
        signer: 'bob',
        keys: [pub()],
        repository: 'example.com/team/other',
        out: () => {},
      });
      const roots = (await t.ctx.keys.store.listKeys()).filter(
        (k) => k.role === 'root',
      );
      expect(roots).toHaveLength(1);
      const a = (await t.verify()).root.signed;
      const b = (await other.verify()).root.signed;
      // Different certificates (CN = each GUN), the same private key behind them.
      expect(a.roles.root.keyids[0]).not.toBe(b.roles.root.keyids[0]);
      const spki = (r: typeof a) =>
        r.keys
          .get(r.roles.root.keyids[0]!)!
          .certificates![0]!.publicKey.export({ type: 'spki', format: 'der' });
      expect(spki(a)).toEqual(spki(b));
      // Each repository has its own targets key.
      expect(a.roles.targets.keyids[0]).not.toBe(b.roles.targets.keyids[0]);
    } finally {
      await other.cleanup();
    }
  });
});
