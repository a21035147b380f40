import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TrustError } from '../../../../src/errors.js';
import { canonicalizeJSON } from '../../../../src/notary/tuf/canonical-json.js';
import {
  getTargetByName,
  resolveDockerTag,
} from '../../../../src/notary/tuf/delegations.js';
import { inspectTrustData } from '../../../../src/notary/tuf/inspect-data.js';
import { canonicalKeyID } from '../../../../src/notary/tuf/keys.js';
import {
  parseRoot,
  parseSnapshot,
  parseTargets,
  parseTimestamp,
  type Targets,
} from '../../../../src/notary/tuf/metadata.js';
import { validateRoot } from '../../../../src/notary/tuf/root-certs.js';
import {
  baseRoleKeys,
  checkFileMeta,
  checkNotExpired,
  delegationKeys,
  verifyRoleSignatures,
} from '../../../../src/notary/tuf/verify-role.js';
import { notaryFixtures } from '../../../helpers/paths.js';

const now = new Date('2026-11-22T12:00:00Z');
const compat = join(notaryFixtures, 'compatibility');
const v01 = {
  gun: 'docker.com/notary0.1/samplerepo',
  dir: join(compat, 'notary0.1/tuf/docker.com/notary0.1/samplerepo/metadata'),
};
const v03 = {
  gun: 'docker.com/notary0.3/tst',
  dir: join(compat, 'notary0.3/tuf/docker.com/notary0.3/tst/metadata'),
};
const read = (dir: string, role: string): Buffer =>
  readFileSync(join(dir, `${role}.json`));

function load(repo: typeof v01) {
  const rootRaw = read(repo.dir, 'root');
  const targetsRaw = read(repo.dir, 'targets');
  const snapshotRaw = read(repo.dir, 'snapshot');
  const timestampRaw = read(repo.dir, 'timestamp');
  return {
    rootRaw,
    targetsRaw,
    snapshotRaw,
    root: parseRoot(rootRaw, repo.gun),
    targets: parseTargets(targetsRaw, repo.gun, 'targets'),
    snapshot: parseSnapshot(snapshotRaw, repo.gun),
    timestamp: parseTimestamp(timestampRaw, repo.gun),
  };
}

describe('notary compatibility fixtures', () => {
  it.each([v01, v03])('key IDs of $gun recompute to the map keys', (repo) => {
    const { root, targets } = load(repo);
    expect(root.signed.keys.size).toBe(4);
    for (const [id, key] of root.signed.keys) expect(key.id).toBe(id);
    for (const [id, key] of targets.signed.delegations.keys) {
      expect(key.id).toBe(id);
    }
  });

  it('canonical JSON of signed reproduces bytes whose signatures verify', () => {
    for (const repo of [v01, v03]) {
      const { root, targets, snapshot, timestamp } = load(repo);
      const rawSigned = (
        JSON.parse(read(repo.dir, 'root').toString()) as { signed: unknown }
      ).signed;
      expect(canonicalizeJSON(JSON.stringify(rawSigned))).toEqual(
        root.canonical,
      );
      const r = root.signed;
      expect(verifyRoleSignatures(root, baseRoleKeys(r, 'root'))).toEqual([
        r.roles.root.keyids[0],
      ]);
      verifyRoleSignatures(targets, baseRoleKeys(r, 'targets'));
      verifyRoleSignatures(snapshot, baseRoleKeys(r, 'snapshot'));
      verifyRoleSignatures(timestamp, baseRoleKeys(r, 'timestamp'));
    }
  });

  it('notary0.1 root validates on first use (TOFU) in 2026-11', () => {
    const { root } = load(v01);
    expect(() => validateRoot(root, { gun: v01.gun, now })).not.toThrow();
    checkNotExpired(root, now);
    expect(
      canonicalKeyID(root.signed.keys.get(root.signed.roles.root.keyids[0]!)!),
    ).toBe('d0c623c8e70c70d42a8a8125c44a8598588b3f6e31d5c21a83cbc338dfde8a68');
  });

  it('notary0.1 snapshot and timestamp hash the files byte for byte', () => {
    const { rootRaw, targetsRaw, snapshotRaw, snapshot, timestamp } = load(v01);
    checkFileMeta(rootRaw, snapshot.signed.meta.get('root')!, 'root');
    checkFileMeta(targetsRaw, snapshot.signed.meta.get('targets')!, 'targets');
    checkFileMeta(snapshotRaw, timestamp.signed.snapshot, 'snapshot');
    expect(snapshotRaw.length).toBe(488);
  });

  it('notary0.1 lists exactly the LICENSE target', () => {
    const { targets } = load(v01);
    const repo = new Map([['targets', targets.signed]]);
    const hit = getTargetByName(repo, 'LICENSE');
    expect(hit?.role).toBe('targets');
    expect(hit?.meta.length).toBe(11309);
    expect(hit?.meta.hashes.sha256?.toString('hex')).toBe(
      '9395bac6fccb26bcb55efb083d1b4b0fe72a1c25f959f056c016120b3bb56a62',
    );
    expect([...targets.signed.targets.keys()]).toEqual(['LICENSE']);
  });

  it('notary0.3 root is rejected now: its certificate expired on 2026-07-25', () => {
    const { root } = load(v03);
    let err: unknown;
    try {
      validateRoot(root, { gun: v03.gun, now });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TrustError);
    expect((err as TrustError).failure).toBe('root-certificate');
    expect((err as TrustError).message).toMatch(/expired at 2026-07-25/);
    // The same root was valid before the certificate expired.
    validateRoot(root, { gun: v03.gun, now: new Date('2020-01-01T00:00:00Z') });
  });

  it('notary0.3 targets/releases verifies with rsapss and resolves tags', () => {
    const { targets, snapshot } = load(v03);
    const raw = read(join(v03.dir, 'targets'), 'releases');
    checkFileMeta(raw, snapshot.signed.meta.get('targets/releases')!, 'rel');
    const releases = parseTargets(raw, v03.gun, 'targets/releases');
    expect(releases.signatures[0]?.method).toBe('rsapss');
    const role = targets.signed.delegations.roles[0]!;
    expect(role.name).toBe('targets/releases');
    verifyRoleSignatures(releases, delegationKeys(targets.signed, role));
    const key = targets.signed.delegations.keys.get(role.keyids[0]!)!;
    expect(canonicalKeyID(key)).toBe(
      'fa842f66cac2dc898677a8660789dcff0e3b0b93b73f8952491f6493199936d3',
    );

    const repo = new Map<string, Targets>([
      ['targets', targets.signed],
      ['targets/releases', releases.signed],
    ]);
    expect(resolveDockerTag(repo, v03.gun, 'hello')).toMatchObject({
      role: 'targets/releases',
      digest:
        'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      length: 0,
    });
    expect(resolveDockerTag(repo, v03.gun, 'LICENSE').role).toBe('targets');
    const inspect = inspectTrustData(load(v03).root.signed, repo);
    expect(inspect.signedTags.map((r) => [r.tag, r.signers])).toEqual([
      ['LICENSE', []],
      ['change', []],
      ['hello', []],
    ]);
    expect(inspect.signers).toEqual([]);
    expect(inspect.rootKeys).toEqual([
      '354e203ba09dbe17807b6a9d191bff887167c06d121e738d849446a9c76c2866',
    ]);
  });
});
