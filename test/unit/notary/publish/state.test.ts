import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PublishState } from '../../../../src/notary/publish/state.js';
import { keyID, tufKeyFromPublicKey } from '../../../../src/notary/tuf/keys.js';
import type { TrustedRepository } from '../../../../src/notary/tuf/update.js';

const GUN = 'example.com/s';
const pub = () =>
  tufKeyFromPublicKey(
    generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
  );
const file = (signed: unknown) => ({
  canonical: Buffer.from(JSON.stringify(signed)),
});

/** Verified metadata as the update returns it, reduced to what PublishState reads. */
function trusted(
  targets: Record<string, unknown>,
  snapshotRoles: string[],
): TrustedRepository {
  const meta = Object.fromEntries(
    snapshotRoles.map((r) => [r, { length: 1, hashes: {} }]),
  );
  return {
    gun: GUN,
    root: file({ _type: 'Root' }),
    snapshot: file({ _type: 'Snapshot', meta }),
    targets: new Map(Object.entries(targets).map(([n, s]) => [n, file(s)])),
  } as unknown as TrustedRepository;
}

describe('PublishState change semantics (notary changelist)', () => {
  it('adding a delegation twice merges keys and paths; nothing is duplicated', () => {
    const s = PublishState.initial(GUN, { _type: 'Root' });
    const [a, b] = [pub(), pub()];
    s.addDelegation('targets/x', [a], ['']);
    s.addDelegation('targets/x', [a, b], ['', 'v']);
    const t = s.targets('targets')!;
    expect(t.delegations.roles).toEqual([
      {
        name: 'targets/x',
        keyids: [keyID(a), keyID(b)],
        threshold: 1,
        paths: ['', 'v'],
      },
    ]);
    expect(Object.keys(t.delegations.keys).sort()).toEqual(
      [keyID(a), keyID(b)].sort(),
    );
  });

  it('removing keys purges the ones no role uses any more, keeps shared ones', () => {
    const s = PublishState.initial(GUN, { _type: 'Root' });
    const [a, b] = [pub(), pub()];
    s.addDelegation('targets/x', [a], ['']);
    s.addDelegation('targets/releases', [a, b], ['']);
    s.removeDelegationKeys('targets/releases', [keyID(a), keyID(b)]);
    const t = s.targets('targets')!;
    expect(
      t.delegations.roles.find((r) => r.name === 'targets/releases')!.keyids,
    ).toEqual([]);
    expect(Object.keys(t.delegations.keys)).toEqual([keyID(a)]);
    s.removeDelegation('targets/x');
    expect(t.delegations.keys).toEqual({});
  });

  it('removing a delegation drops its file and its children from what is signed', () => {
    const repo = trusted(
      {
        targets: {
          _type: 'Targets',
          version: 3,
          delegations: {
            keys: {},
            roles: [
              { name: 'targets/x', keyids: [], threshold: 1, paths: [''] },
            ],
          },
        },
        'targets/x': {
          _type: 'Targets',
          version: 2,
          targets: {},
          delegations: {
            keys: {},
            roles: [
              { name: 'targets/x/y', keyids: [], threshold: 1, paths: [''] },
            ],
          },
        },
        'targets/x/y': { _type: 'Targets', version: 1, targets: {} },
      },
      ['root', 'targets', 'targets/x', 'targets/x/y'],
    );
    const s = PublishState.fromTrusted(repo);
    s.removeTarget('targets/x/y', 'anything');
    s.removeDelegation('targets/x');
    expect(s.dirtyRoles()).toEqual(['targets']);
    expect([...s.deleted].sort()).toEqual(['targets/x', 'targets/x/y']);
  });

  it('refuses to re-create a role the server has but that did not verify (its version is unknown)', () => {
    const s = PublishState.fromTrusted(
      trusted({ targets: { _type: 'Targets', version: 1 } }, [
        'root',
        'targets',
        'targets/releases',
      ]),
    );
    expect(() =>
      s.addTarget('targets/releases', 'v1', { length: 1, hashes: {} }),
    ).toThrow(
      'example.com/s: cannot sign targets/releases: its current metadata on the server did not verify (expired or under-signed)',
    );
  });

  it('a role with no file yet starts at version 0 (signed as 1); removing from it does nothing', () => {
    const s = PublishState.fromTrusted(
      trusted({ targets: { _type: 'Targets', version: 1 } }, [
        'root',
        'targets',
      ]),
    );
    s.removeTarget('targets/new', 'v1');
    expect(s.dirtyRoles()).toEqual([]);
    s.addTarget('targets/new', 'v1', { length: 1, hashes: {} });
    expect(s.targets('targets/new')!.version).toBe(0);
    expect(s.dirtyRoles()).toEqual(['targets/new']);
  });
});
