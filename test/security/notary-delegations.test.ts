/**
 * SPEC §8 Notary: delegations that must not widen trust — names outside
 * their parent, with `..`, uppercase or otherwise invalid; targets outside
 * a delegation's (effective) paths; a tag found only in `targets/<signer>`
 * when docker resolves it (§7.8).
 */
import { describe, expect, it } from 'vitest';
import {
  getTargetByName,
  resolveDockerTag,
} from '../../src/notary/tuf/delegations.js';
import {
  isDelegationName,
  restrictPaths,
} from '../../src/notary/tuf/delegation-names.js';
import { inspectTrustData } from '../../src/notary/tuf/inspect-data.js';
import {
  buildRepo,
  ecKey,
  type DelegationSpec,
} from '../helpers/notary-tuf/fake-repo.js';
import {
  trustFailure,
  updateFrom,
} from '../helpers/notary-tuf/memory-source.js';

const gun = 'docker.io/library/deleg';
const now = new Date('2026-11-22T12:00:00Z');
const b = (s: string): Buffer => Buffer.from(s);
/** inspectTrustData reads only the root's role key IDs. */
const noAdminKeys = {
  roles: {
    root: { keyids: [], threshold: 1 },
    targets: { keyids: [], threshold: 1 },
  },
} as unknown as Parameters<typeof inspectTrustData>[0];

async function verified(delegations: DelegationSpec[], targets = {}) {
  const built = buildRepo({ gun, now, targets, delegations });
  return (await updateFrom(gun, built.files, { now })).verified;
}

describe('when a delegation name is invalid', () => {
  it.each([
    ['targets/../root', 'is not a valid delegation name'],
    ['targets/Releases', 'is not a valid delegation name'],
    ['targets/a b', 'is not a valid delegation name'],
    ['targets/a/', 'is not a valid delegation name'],
    ['targets//a', 'is not a valid delegation name'],
    ['targets', 'is not a valid delegation name'],
    ['root', 'is not a valid delegation name'],
    [`targets/${'a'.repeat(250)}`, 'is not a valid delegation name'],
    ['targets/a/b', 'is not a direct child of targets'],
  ])('rejects %s in targets.json', async (name, why) => {
    const built = buildRepo({
      gun,
      now,
      mutate: {
        targets: (s) => {
          (s.delegations as { roles: unknown[] }).roles.push({
            keyids: [],
            name,
            paths: [''],
            threshold: 1,
          });
        },
      },
    });
    const err = await trustFailure(updateFrom(gun, built.files, { now }));
    expect(err.failure).toBe('format');
    expect(err.message).toBe(
      `${gun} targets.json: "signed.delegations.roles[0].name" "${name}" ${why}`,
    );
  });

  it('rejects a delegation file that delegates outside its own subtree', async () => {
    const built = buildRepo({
      gun,
      now,
      delegations: [{ name: 'targets/releases', keys: [ecKey()] }],
      mutate: {
        'targets/releases': (s) => {
          (s.delegations as { roles: unknown[] }).roles.push({
            keyids: [],
            name: 'targets/alice',
            paths: [''],
            threshold: 1,
          });
        },
      },
    });
    const err = await trustFailure(updateFrom(gun, built.files, { now }));
    expect(err.message).toMatch(
      /targets\/releases\.json: .*"targets\/alice" is not a direct child of targets\/releases/,
    );
  });

  it('accepts only clean lowercase names under targets/', () => {
    expect(isDelegationName('targets/releases')).toBe(true);
    expect(isDelegationName('targets/a-b_c/d0')).toBe(true);
    expect(isDelegationName('targets/a/./b')).toBe(false);
    expect(isDelegationName(`targets/${'a'.repeat(247)}`)).toBe(true); // 255 chars
    expect(isDelegationName(`targets/${'a'.repeat(248)}`)).toBe(false); // 256 chars
  });
});

describe('when a target is outside the delegation paths', () => {
  it('does not resolve a tag a delegation may not sign', async () => {
    const repo = await verified([
      {
        name: 'targets/releases',
        keys: [ecKey()],
        paths: ['v1'],
        targets: { latest: b('evil'), 'v1.0': b('good') },
      },
    ]);
    expect(resolveDockerTag(repo, gun, 'v1.0').role).toBe('targets/releases');
    const err = await trustFailure(() => resolveDockerTag(repo, gun, 'latest'));
    expect(err.message).toBe(`${gun}: No valid trust data for latest`);
    // and inspect does not list it either
    expect(
      inspectTrustData(noAdminKeys, repo).signedTags.map((r) => r.tag),
    ).toEqual(['v1.0']);
  });

  it('restricts nested delegations to their parent paths', async () => {
    expect(restrictPaths(['v'], ['x', 'v2', ''])).toEqual(['v2']);
    const repo = await verified([
      { name: 'targets/releases', keys: [ecKey()], paths: ['v'] },
      {
        name: 'targets/releases/team',
        keys: [ecKey()],
        paths: ['x', 'v2'],
        targets: { x1: b('evil'), v2: b('good') },
      },
    ]);
    expect(getTargetByName(repo, 'v2', ['targets/releases'])?.role).toBe(
      'targets/releases/team',
    );
    expect(getTargetByName(repo, 'x1', ['targets/releases'])).toBeUndefined();
    // docker accepts only hits from targets/releases or targets themselves
    const err = await trustFailure(() => resolveDockerTag(repo, gun, 'v2'));
    expect(err.message).toMatch(/only signed by targets\/releases\/team/);
  });
});

describe('when a tag is signed only by a signer delegation', () => {
  it('refuses a tag found only in targets/<signer>', async () => {
    const repo = await verified([
      { name: 'targets/releases', keys: [ecKey()], targets: { v1: b('1') } },
      { name: 'targets/alice', keys: [ecKey()], targets: { beta: b('2') } },
    ]);
    expect(
      getTargetByName(repo, 'beta', ['targets/releases', 'targets'])?.role,
    ).toBe('targets/alice');
    const err = await trustFailure(() => resolveDockerTag(repo, gun, 'beta'));
    expect(err.failure).toBe('not-found');
    expect(err.message).toBe(
      `${gun}: No valid trust data for beta (only signed by targets/alice, not by targets/releases or targets)`,
    );
  });

  it('prefers targets/releases over targets for the same tag', async () => {
    const repo = await verified(
      [
        {
          name: 'targets/releases',
          keys: [ecKey()],
          targets: { v1: b('new') },
        },
      ],
      { v1: b('old') },
    );
    const hit = resolveDockerTag(repo, gun, 'v1');
    expect(hit.role).toBe('targets/releases');
    expect(hit.length).toBe(3);
  });
});
