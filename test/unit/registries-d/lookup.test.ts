import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type RegistriesConfig,
  loadRegistriesConfig,
} from '../../../src/registries-d/load.js';
import {
  lookasideFor,
  lookasideRepositoryURL,
  lookasideSignatureURL,
  sigstoreAttachmentsFor,
} from '../../../src/registries-d/lookup.js';
import { parseNormalizedNamed } from '../../../src/reference/docker-reference.js';
import { cImageFixtures, tempDir } from '../../helpers/paths.js';

const fixtureDir = join(cImageFixtures, 'docker/fixtures/registries.d');
const ref = (s: string) => parseNormalizedNamed(s);

async function configFrom(yaml: string): Promise<RegistriesConfig> {
  const dir = await tempDir();
  await writeFile(join(dir, 'c.yaml'), yaml);
  return loadRegistriesConfig(dir, { isRoot: false, homeDir: '/home/u' });
}

const orderYaml = `
default-docker:
  lookaside: https://default
docker:
  localhost:
    lookaside: https://localhost
  localhost:5000:
    lookaside: https://localhost-5000
  example.com:
    lookaside: https://example.com
  example.com/ns1:
    lookaside: https://ns1
  example.com/ns1/ns2:
    lookaside: https://ns2
  example.com/ns1/ns2/repo:
    lookaside: https://repo
  example.com/ns1/ns2/repo:notlatest:
    lookaside: https://notlatest
`;

describe('scope lookup order (fixture README examples)', () => {
  it.each([
    [
      'example.com/ns1/ns2/repo:notlatest',
      'example.com/ns1/ns2/repo:notlatest',
    ],
    ['example.com/ns1/ns2/repo:unmatched', 'example.com/ns1/ns2/repo'],
    ['example.com/ns1/ns2/other:1', 'example.com/ns1/ns2'],
    ['example.com/ns1/x:1', 'example.com/ns1'],
    ['example.com/notns1/ns2/repo:notlatest', 'example.com'],
    ['localhost/busybox:1', 'localhost'],
    ['localhost:5000/busybox:1', 'localhost:5000'],
    ['localhost:9999/busybox:1', 'default-docker'],
    ['quay.io/a/b:1', 'default-docker'],
  ])('%s uses scope %s', async (image, scope) => {
    const config = await configFrom(orderYaml);
    expect(lookasideFor(config, ref(image), 'read').scope).toBe(scope);
  });
});

describe('the fixture directory', () => {
  it('maps docker://example.com/my/project to lookaside.example.com/my/project', async () => {
    const config = await loadRegistriesConfig(fixtureDir);
    const loc = lookasideFor(config, ref('example.com/my/project:1'), 'read');
    expect(loc).toEqual({
      url: 'https://lookaside.example.com',
      scope: 'example.com',
      file: join(fixtureDir, 'internal-example.com.yaml'),
      key: 'lookaside',
      builtIn: false,
    });
    expect(
      lookasideRepositoryURL(loc, ref('example.com/my/project:1')).href,
    ).toBe('https://lookaside.example.com/my/project');
  });

  it('uses the staging URL for writes and the lookaside for reads', async () => {
    const config = await loadRegistriesConfig(fixtureDir);
    const r = ref('docker.io/centos/mybetaproduct:beta');
    expect(lookasideFor(config, r, 'read').url).toBe(
      'http://localhost:9999/mybetaWIP/lookaside',
    );
    expect(lookasideFor(config, r, 'write')).toMatchObject({
      url: 'file:///srv/mybetaWIP/lookaside',
      key: 'lookaside-staging',
    });
    // The tag scope has only `lookaside`: writes use it too.
    expect(
      lookasideFor(
        config,
        ref('docker.io/centos/mybetaproduct:latest'),
        'write',
      ).url,
    ).toBe('https://lookaside.centos.org/');
  });

  it.each([
    'localhost/invalid/url/test:1',
    'localhost/file/path/test:1',
    'localhost/relative/path/test:1',
  ])(
    'refuses the scheme-less URL configured for %s when used',
    async (image) => {
      const config = await loadRegistriesConfig(fixtureDir);
      const loc = lookasideFor(config, ref(image), 'read');
      expect(() => lookasideRepositoryURL(loc, ref(image))).toThrow(
        /lookaside URL.*internal-example\.com\.yaml/,
      );
    },
  );

  it('builds signature URLs with algo=hex and 1-based indexes', () => {
    const hex = '0123456789abcdef'.repeat(4);
    expect(
      lookasideSignatureURL(new URL('file:///tmp'), `sha256:${hex}`, 1).href,
    ).toBe(`file:///tmp@sha256=${hex}/signature-1`);
  });
});

describe('fall-through (SPEC §4.2 quirk)', () => {
  it('a specific section with only lookaside-staging does not hide a broader lookaside for reads', async () => {
    const config = await configFrom(`
docker:
  q.io:
    lookaside: https://broad
  q.io/team/app:
    lookaside-staging: file:///staging
`);
    const r = ref('q.io/team/app:1');
    expect(lookasideFor(config, r, 'read')).toMatchObject({
      url: 'https://broad',
      scope: 'q.io',
    });
    expect(lookasideFor(config, r, 'write')).toMatchObject({
      url: 'file:///staging',
      scope: 'q.io/team/app',
    });
  });

  it('prefers lookaside over sigstore within one section', async () => {
    const config = await configFrom(`
docker:
  q.io:
    sigstore: https://old
    lookaside: https://new
    sigstore-staging: file:///old-staging
`);
    const r = ref('q.io/a:1');
    expect(lookasideFor(config, r, 'read').url).toBe('https://new');
    expect(lookasideFor(config, r, 'write')).toMatchObject({
      url: 'file:///old-staging',
      key: 'sigstore-staging',
    });
  });

  it('falls back to the built-in default when nothing applies', async () => {
    const config = await configFrom(
      'docker:\n  other.io:\n    lookaside: https://x\n',
    );
    expect(lookasideFor(config, ref('q.io/a:1'), 'write')).toEqual({
      url: 'file:///home/u/.local/share/containers/sigstore',
      scope: '',
      key: 'built-in default',
      builtIn: true,
    });
  });

  it('matches *.domain wildcards, not the bare domain', async () => {
    const config = await configFrom(
      'docker:\n  "*.example.com":\n    lookaside: https://wild\n',
    );
    expect(lookasideFor(config, ref('a.example.com/x:1'), 'read').url).toBe(
      'https://wild',
    );
    expect(lookasideFor(config, ref('example.com/x:1'), 'read').builtIn).toBe(
      true,
    );
  });

  it('reports use-sigstore-attachments with the same fall-through', async () => {
    const config = await configFrom(`
default-docker:
  use-sigstore-attachments: true
docker:
  q.io/a:
    lookaside: https://a
  q.io/b:
    use-sigstore-attachments: false
`);
    expect(sigstoreAttachmentsFor(config, ref('q.io/a:1'))).toMatchObject({
      enabled: true,
      scope: 'default-docker',
    });
    expect(sigstoreAttachmentsFor(config, ref('q.io/b:1'))).toMatchObject({
      enabled: false,
      scope: 'q.io/b',
    });
  });
});
