import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ImgsignError } from '../../../src/errors.js';
import {
  DOCKER_HUB_NOTARY_SERVER,
  gunOf,
  notaryServerURL,
  openNotaryRepository,
  resolveTrustedTag,
} from '../../../src/notary/repository.js';
import { parseNormalizedNamed } from '../../../src/reference/docker-reference.js';
import { tempDir } from '../../helpers/paths.js';
import { serveRepo } from '../../security/notary-cache-server.js';
import { buildRepo, ecKey } from '../../helpers/notary-tuf/fake-repo.js';

describe('notaryServerURL', () => {
  it('uses notary.docker.io for Docker Hub and the registry host otherwise', () => {
    expect(notaryServerURL('docker.io')).toBe(DOCKER_HUB_NOTARY_SERVER);
    expect(notaryServerURL('quay.io')).toBe('https://quay.io');
    expect(notaryServerURL('localhost:5000')).toBe('https://localhost:5000');
  });

  it('prefers DOCKER_CONTENT_TRUST_SERVER, reduced to its origin', () => {
    expect(notaryServerURL('docker.io', 'https://n.example.com:4443/')).toBe(
      'https://n.example.com:4443',
    );
  });

  it.each([
    'http://n.example.com',
    'n.example.com',
    'ftp://x',
    'https://n.example.com/prefix',
    'https://user:pw@n.example.com',
    'https://n.example.com/?q=1',
  ])('refuses the override %j', (override) => {
    expect(() => notaryServerURL('docker.io', override)).toThrow(ImgsignError);
  });
});

describe('gunOf', () => {
  it('is the fully expanded repository name', () => {
    expect(gunOf(parseNormalizedNamed('busybox'))).toBe(
      'docker.io/library/busybox',
    );
    expect(gunOf(parseNormalizedNamed('example.com:5000/a/b:tag'))).toBe(
      'example.com:5000/a/b',
    );
  });
});

describe('openNotaryRepository', () => {
  it('resolves GUN, server, cache and (without network) nothing else', async () => {
    const dir = await tempDir();
    const repo = await openNotaryRepository({
      reference: 'busybox:latest',
      trustDir: join(dir, 'trust'),
      sys: {},
    });
    try {
      expect(repo.gun).toBe('docker.io/library/busybox');
      expect(repo.reference.tag).toBe('latest');
      expect(repo.serverURL).toBe(DOCKER_HUB_NOTARY_SERVER);
      expect(repo.cache.metadataDir(repo.gun)).toBe(
        join(dir, 'trust/tuf/docker.io/library/busybox/metadata'),
      );
    } finally {
      await repo.close();
    }
  });

  it('refuses an invalid reference', async () => {
    await expect(
      openNotaryRepository({
        reference: 'UPPER/case',
        trustDir: await tempDir(),
        sys: {},
      }),
    ).rejects.toMatchObject({ code: 'INVALID_REFERENCE' });
  });

  it("reads docker's tls/<server host>/ directory when it exists", async () => {
    const dir = await tempDir();
    const certDir = join(dir, 'tls', 'notary.example.com:4443');
    await mkdir(certDir, { recursive: true });
    // A client certificate without its key: only reported if the directory is used.
    await writeFile(join(certDir, 'client.cert'), 'x');
    const repo = await openNotaryRepository({
      reference: 'example.com/a',
      trustDir: join(dir, 'trust'),
      sys: { dockerConfigDir: dir },
      serverOverride: 'https://notary.example.com:4443',
    });
    try {
      const err = await repo.store
        .get(repo.gun, { role: 'root', maxBytes: 1024 })
        .catch((e: unknown) => e);
      expect((err as Error).message).toMatch(
        /client\.cert has no matching key/,
      );
    } finally {
      await repo.close();
    }
  });
});

describe('resolveTrustedTag', () => {
  const gun = 'example.com/team/app';
  const now = new Date();

  async function served() {
    const repo = buildRepo({
      gun,
      now,
      targets: { latest: Buffer.from('manifest-latest') },
      delegations: [
        {
          name: 'targets/releases',
          keys: [ecKey()],
          targets: { v1: Buffer.from('manifest-v1') },
        },
        {
          name: 'targets/alice',
          keys: [ecKey()],
          targets: { v2: Buffer.from('manifest-v2') },
        },
      ],
    });
    return serveRepo(gun, repo.files);
  }
  const sha = (s: string) =>
    `sha256:${createHash('sha256').update(s).digest('hex')}`;

  it('returns the digest targets/releases or targets signs for the tag', async () => {
    const s = await served();
    try {
      const base = {
        trustDir: await tempDir(),
        sys: {},
        serverOverride: s.server.url,
        insecureAllowHTTP: true,
      };
      const v1 = await resolveTrustedTag({ ...base, reference: `${gun}:v1` });
      expect(v1).toMatchObject({
        gun,
        tag: 'v1',
        role: 'targets/releases',
        digest: sha('manifest-v1'),
      });
      const latest = await resolveTrustedTag({ ...base, reference: gun });
      expect(latest).toMatchObject({
        role: 'targets',
        digest: sha('manifest-latest'),
      });
      await expect(
        resolveTrustedTag({ ...base, reference: `${gun}:v2` }),
      ).rejects.toMatchObject({ failure: 'not-found' });
      await expect(
        resolveTrustedTag({ ...base, reference: `${gun}@${sha('x')}` }),
      ).rejects.toMatchObject({ code: 'USAGE' });
    } finally {
      await s.stop();
    }
  });
});
