import { generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  addSigner,
  removeSigner,
} from '../../src/notary/publish/docker-signers.js';
import { validateSignerName } from '../../src/notary/publish/public-key-files.js';
import { PublishState } from '../../src/notary/publish/state.js';
import { tufKeyFromPublicKey } from '../../src/notary/tuf/keys.js';
import { GUN, testRepo, type TestRepo } from '../unit/notary/publish/setup.js';

// Signer names become delegation role names (`targets/NAME`) and so parts of
// metadata file paths on the server and in the cache: `releases` is docker's
// own role, and anything outside ^[a-z0-9][a-z0-9_-]*$ (slashes, dots,
// uppercase, "..") must be refused before anything is signed or sent.
let t: TestRepo;
beforeEach(async () => {
  t = await testRepo();
});
afterEach(async () => {
  await t.cleanup();
});

const key = tufKeyFromPublicKey(
  generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
);

describe('when the signer name is hostile', () => {
  it.each([
    'releases',
    '../etc',
    'a/b',
    'alice/..',
    'Alice',
    '-x',
    '_x',
    'a.b',
    'a b',
    '',
    'ä',
  ])(
    '%j is refused by signer add, without contacting the server',
    async (name) => {
      expect(() => validateSignerName(name)).toThrow();
      await expect(
        addSigner(t.ctx, {
          signer: name,
          keys: [key],
          repository: GUN,
          out: () => {},
        }),
      ).rejects.toThrow(
        /reserved keyword|must start with lowercase alphanumeric/,
      );
      expect(t.server.publishes).toEqual([]);
    },
  );

  it.each(['releases', '../x', 'a/b'])(
    '%j is refused by signer remove',
    async (name) => {
      await expect(
        removeSigner(t.ctx, {
          signer: name,
          repository: GUN,
          force: true,
          confirm: () => Promise.resolve(true),
        }),
      ).rejects.toThrow(
        /reserved keyword|must start with lowercase alphanumeric/,
      );
      expect(t.server.publishes).toEqual([]);
    },
  );

  it('a delegation name that is not path-clean never reaches the metadata', () => {
    const state = PublishState.initial(GUN, { _type: 'Root' });
    for (const bad of [
      'targets/../root',
      'targets/a//b',
      'targets/A',
      'targets/',
    ]) {
      expect(() => state.addDelegation(bad, [key], [''])).toThrow(
        /not a valid delegation role name/,
      );
    }
    expect(state.targets('targets')!.delegations.roles).toEqual([]);
  });
});
