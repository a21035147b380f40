import { describe, expect, it } from 'vitest';
import {
  inspectTrustData,
  naturalCompare,
  signerName,
} from '../../../../src/notary/tuf/inspect-data.js';
import {
  canonicalKeyID,
  parseTufKey,
} from '../../../../src/notary/tuf/keys.js';
import {
  buildRepo,
  certKey,
  ecKey,
} from '../../../helpers/notary-tuf/fake-repo.js';
import { updateFrom } from '../../../helpers/notary-tuf/memory-source.js';

const gun = 'docker.io/library/inspect';
const now = new Date('2026-11-22T12:00:00Z');
const b = (s: string): Buffer => Buffer.from(s);

describe('inspectTrustData (docker trust inspect rows)', () => {
  it('lists released tags with the signers holding the same digest', async () => {
    const alice = ecKey();
    const bob = certKey('bob', now);
    const built = buildRepo({
      gun,
      now,
      targets: { admin: b('a') },
      delegations: [
        {
          name: 'targets/releases',
          keys: [alice, bob],
          targets: { v10: b('10'), v9: b('9'), green: b('g') },
        },
        {
          name: 'targets/alice',
          keys: [alice],
          targets: { v10: b('10'), v9: b('other') },
        },
        {
          name: 'targets/bob',
          keys: [bob],
          targets: { v10: b('10'), unreleased: b('u') },
        },
      ],
    });
    const repo = await updateFrom(gun, built.files, { now });
    const data = inspectTrustData(repo.root.signed, repo.verified);
    expect(data.signedTags.map((r) => [r.tag, r.signers])).toEqual([
      ['admin', []],
      ['green', []],
      ['v9', []],
      ['v10', ['alice', 'bob']],
    ]);
    expect(data.signedTags[3]?.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(data.signers).toEqual([
      { name: 'bob', keys: [canonicalKeyID(parseTufKey(bob.json, 'bob'))] },
      { name: 'alice', keys: [alice.id] },
    ]);
    // bob's certificate key is listed under the ID of its plain public key
    expect(data.signers[0]?.keys[0]).not.toBe(bob.id);
    expect(data.rootKeys).toEqual([built.keys.root.id]);
    expect(data.repositoryKeys).toEqual([built.keys.targets.id]);
  });

  it('sorts naturally and names signers without targets/', () => {
    expect(['v10', 'v9', 'v1', 'a', 'B'].sort(naturalCompare)).toEqual([
      'B',
      'a',
      'v1',
      'v9',
      'v10',
    ]);
    expect(signerName('targets/alice')).toBe('alice');
    expect(signerName('targets/a/b')).toBe('a/b');
  });
});
