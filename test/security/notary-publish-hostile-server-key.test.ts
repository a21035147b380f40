import { generateKeyPairSync } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addSigner } from '../../src/notary/publish/docker-signers.js';
import { tufKeyFromPublicKey } from '../../src/notary/tuf/keys.js';
import { GUN, testRepo, type TestRepo } from '../unit/notary/publish/setup.js';

// The snapshot/timestamp keys of a new repository come from the server
// (GET …/{snapshot,timestamp}.key). A key that cannot verify anything
// (RSA-1024, unknown type, garbage) would make a repository nobody can
// read: initialization stops before a targets key is made or anything sent.
let t: TestRepo;
beforeEach(async () => {
  t = await testRepo();
});
afterEach(async () => {
  await t.cleanup();
});

const signerKey = tufKeyFromPublicKey(
  generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
);

describe.each([
  [
    'an RSA-1024 key',
    () =>
      tufKeyFromPublicKey(
        generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey,
      ),
  ],
  [
    'an unknown key type',
    () => ({ keytype: 'dsa', keyval: { private: null, public: 'AAAA' } }),
  ],
  [
    'bytes that are no key',
    () => ({ keytype: 'ecdsa', keyval: { private: null, public: 'AAAA' } }),
  ],
])('when the server hands out %s as its snapshot key', (_what, make) => {
  it('initialization is refused and nothing is published', async () => {
    const json = make();
    t.server.getServerKey = () =>
      Promise.resolve({
        keytype: json.keytype,
        public: json.keyval.public,
        raw: Buffer.from('{}'),
      });
    await expect(
      addSigner(t.ctx, {
        signer: 'bob',
        keys: [signerKey],
        repository: GUN,
        out: () => {},
      }),
    ).rejects.toThrow(
      /the snapshot key it holds for example\.com\/team\/app is unusable/,
    );
    expect(t.server.publishes).toEqual([]);
    // Only the root key was made (docker makes it first too); no targets key.
    const roles = (await readdir(join(t.trustDir, 'private'))).length;
    expect(roles).toBe(1);
  });
});
