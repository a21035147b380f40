/**
 * SPEC §8 Notary: root certificates that must not anchor trust — CN ≠ GUN,
 * expired (the notary0.3 fixture, the expired fixture certificates and
 * generated ones), not yet valid, SHA-1 signed, a CA as leaf, RSA < 2048,
 * no certificate at all — and root rotation attacks: a new root not signed
 * by the previous root's keys, and gaps in the root versions.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keyID, tufKeyFromCertificatePEM } from '../../src/notary/tuf/keys.js';
import { parseRoot } from '../../src/notary/tuf/metadata.js';
import { validateRoot } from '../../src/notary/tuf/root-certs.js';
import { notaryFixtures } from '../helpers/paths.js';
import {
  buildRepo,
  certKey,
  ecKey,
  type RepoKey,
  type RoleKeys,
} from '../helpers/notary-tuf/fake-repo.js';
import type { CertOptions } from '../helpers/notary-tuf/make-cert.js';
import {
  MemoryCache,
  MemorySource,
  trustFailure,
  updateFrom,
} from '../helpers/notary-tuf/memory-source.js';

const gun = 'docker.io/library/roots';
const now = new Date('2026-11-22T12:00:00Z');
const DAY = 86_400_000;
const targets = { latest: Buffer.from('manifest') };

async function tofuWith(cert: Partial<CertOptions>, priv?: RepoKey['priv']) {
  const root = certKey(gun, now, cert, priv);
  const built = buildRepo({
    gun,
    now,
    targets,
    keys: { root },
    // A weak RSA key cannot sign through sign.ts; the cert check fails first anyway.
    signWith: priv ? { root: [ecKey().signing] } : undefined,
  });
  return trustFailure(updateFrom(gun, built.files, { now }));
}

describe('when the root certificate is not usable for the GUN', () => {
  it('rejects a certificate whose CN is another repository', async () => {
    const err = await tofuWith({ cn: 'docker.io/library/other' });
    expect(err.failure).toBe('root-certificate');
    expect(err.message).toBe(
      `${gun} root.json version 1: no valid root certificate (certificate CN "docker.io/library/other" is not the GUN)`,
    );
  });

  it('accepts a CN ending in * as a prefix of the GUN, but not of another', async () => {
    const ok = buildRepo({
      gun,
      now,
      targets,
      keys: { root: certKey(gun, now, { cn: 'docker.io/library/*' }) },
    });
    await updateFrom(gun, ok.files, { now });
    const err = await tofuWith({ cn: 'docker.io/other/*' });
    expect(err.message).toMatch(/CN "docker\.io\/other\/\*" is not the GUN/);
  });

  it('rejects an expired certificate', async () => {
    const err = await tofuWith({
      notBefore: new Date(now.getTime() - 400 * DAY),
      notAfter: new Date(now.getTime() - DAY),
    });
    expect(err.message).toMatch(
      /no valid root certificate \(certificate docker\.io\/library\/roots: expired at 2026-11-21T12:00:00\.000Z\)/,
    );
  });

  it('rejects a certificate valid only from more than a day ahead', async () => {
    const err = await tofuWith({
      notBefore: new Date(now.getTime() + 2 * DAY),
    });
    expect(err.message).toMatch(/not valid before 2026-11-24T12:00:00\.000Z/);
    // Up to one day of clock skew is tolerated.
    const ok = buildRepo({
      gun,
      now,
      targets,
      keys: {
        root: certKey(gun, now, {
          notBefore: new Date(now.getTime() + DAY / 2),
        }),
      },
    });
    await updateFrom(gun, ok.files, { now });
  });

  it('rejects a SHA-1 signed certificate', async () => {
    const err = await tofuWith({ hash: 'sha1' });
    expect(err.message).toMatch(
      /certificate docker\.io\/library\/roots: SHA-1 signature algorithm/,
    );
  });

  it('rejects a CA certificate as the leaf', async () => {
    const err = await tofuWith({ ca: true });
    expect(err.message).toMatch(/the first certificate is a CA, not a leaf/);
  });

  it('rejects an RSA certificate under 2048 bits', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const err = await tofuWith({}, privateKey);
    expect(err.message).toMatch(/RSA key of 1024 bits/);
  });

  it('rejects a root key that is not a certificate', async () => {
    const built = buildRepo({ gun, now, targets, keys: { root: ecKey() } });
    const err = await trustFailure(updateFrom(gun, built.files, { now }));
    expect(err.message).toMatch(
      /no valid root certificate \(not a certificate key\)/,
    );
  });

  it('rejects the notary0.3 root (certificate expired 2026-07-25)', async () => {
    const root = readFileSync(
      join(
        notaryFixtures,
        'compatibility/notary0.3/tuf/docker.com/notary0.3/tst/metadata/root.json',
      ),
    );
    const file = parseRoot(root, 'docker.com/notary0.3/tst');
    const err = await trustFailure(() =>
      validateRoot(file, { gun: 'docker.com/notary0.3/tst', now }),
    );
    expect(err.message).toMatch(/expired at 2026-07-25/);
  });

  it.each([
    [
      'self-signed_docker.com-notary.crt',
      'docker.com/notary',
      /SHA-1 signature algorithm/,
    ],
    ['secure.example.com.crt', 'secure.example.com', /expired at 2023-04-22/],
    ['root-ca.crt', 'Notary Testing CA', /the first certificate is a CA/],
  ])('rejects the fixture certificate %s', async (name, certGun, why) => {
    const pem = readFileSync(join(notaryFixtures, name), 'utf8');
    const json = tufKeyFromCertificatePEM(pem);
    const fake: RepoKey = { ...ecKey(), json, id: keyID(json) };
    const built = buildRepo({
      gun: certGun,
      now,
      targets,
      keys: { root: fake },
      signWith: { root: [ecKey().signing] },
    });
    const err = await trustFailure(updateFrom(certGun, built.files, { now }));
    expect(err.failure).toBe('root-certificate');
    expect(err.message).toMatch(why);
  });
});

describe('when the root is rotated', () => {
  const others = (): Omit<RoleKeys, 'root'> => ({
    targets: ecKey(),
    snapshot: ecKey(),
    timestamp: ecKey(),
  });

  function rootVersion(
    k: Omit<RoleKeys, 'root'>,
    version: number,
    root: RepoKey,
    signers: RepoKey[],
  ): Map<string, Buffer> {
    return buildRepo({
      gun,
      now,
      targets,
      version,
      keys: { ...k, root },
      signWith: { root: signers.map((s) => s.signing) },
    }).files;
  }

  async function trustedAt(files: Map<string, Buffer>): Promise<MemoryCache> {
    const cache = new MemoryCache();
    await updateFrom(gun, files, { now, cache });
    return cache;
  }

  it('accepts a new root signed by the old and the new root keys', async () => {
    const k = others();
    const [r1, r2] = [certKey(gun, now), certKey(gun, now)];
    const cache = await trustedAt(rootVersion(k, 1, r1, [r1]));
    const repo = await updateFrom(gun, rootVersion(k, 2, r2, [r1, r2]), {
      now,
      cache,
    });
    expect(repo.root.signed.version).toBe(2);
    expect(parseRoot(cache.files.get('root')!, gun).signed.version).toBe(2);
  });

  it('rejects a new root not signed by the previous root keys', async () => {
    const k = others();
    const [r1, r2] = [certKey(gun, now), certKey(gun, now)];
    const cache = await trustedAt(rootVersion(k, 1, r1, [r1]));
    const err = await trustFailure(
      updateFrom(gun, rootVersion(k, 2, r2, [r2]), { now, cache }),
    );
    expect(err.failure).toBe('rotation');
    expect(err.message).toMatch(
      /root\.json version 2: not signed by the trusted root's keys \(version 1\): .*0 valid signature\(s\) by previous root keys/,
    );
    expect(parseRoot(cache.files.get('root')!, gun).signed.version).toBe(1);
  });

  it('walks intermediate root versions, each signed by its predecessor', async () => {
    const k = others();
    const [r1, r2, r3] = [
      certKey(gun, now),
      certKey(gun, now),
      certKey(gun, now),
    ];
    const cache = await trustedAt(rootVersion(k, 1, r1, [r1]));
    const source = new MemorySource(rootVersion(k, 3, r3, [r2, r3]));
    source.roots.set(2, rootVersion(k, 2, r2, [r1, r2]).get('root')!);
    const repo = await updateFrom(gun, source, { now, cache });
    expect(repo.root.signed.version).toBe(3);
    expect(
      source.requests
        .filter((r) => r.version !== undefined)
        .map((r) => r.version),
    ).toEqual([2]);
  });

  it('rejects a gap in the root versions', async () => {
    const k = others();
    const [r1, r2, r3] = [
      certKey(gun, now),
      certKey(gun, now),
      certKey(gun, now),
    ];
    const cache = await trustedAt(rootVersion(k, 1, r1, [r1]));
    const source = new MemorySource(rootVersion(k, 3, r3, [r2, r3]));
    let err = await trustFailure(updateFrom(gun, source, { now, cache }));
    expect(err.failure).toBe('rotation');
    expect(err.message).toMatch(
      /2\.root\.json is missing on memory source \(gap in root versions\)/,
    );
    // An intermediate file holding another version is a gap too.
    source.roots.set(2, source.files.get('root')!);
    err = await trustFailure(updateFrom(gun, source, { now, cache }));
    expect(err.message).toMatch(
      /2\.root\.json holds version 3 \(gap in root versions\)/,
    );
  });

  it('rejects an intermediate root that is not signed by its predecessor', async () => {
    const k = others();
    const [r1, r2, r3] = [
      certKey(gun, now),
      certKey(gun, now),
      certKey(gun, now),
    ];
    const cache = await trustedAt(rootVersion(k, 1, r1, [r1]));
    const source = new MemorySource(rootVersion(k, 3, r3, [r2, r3]));
    source.roots.set(2, rootVersion(k, 2, r2, [r2]).get('root')!);
    const err = await trustFailure(updateFrom(gun, source, { now, cache }));
    expect(err.message).toMatch(
      /root\.json version 2: not signed by the trusted root's keys \(version 1\)/,
    );
  });
});
