import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  builtInLookasideURL,
  loadRegistriesConfig,
  loadRegistriesConfigFor,
  resolveRegistriesDirWithSource,
} from '../../../src/registries-d/load.js';
import { cImageFixtures, repoRoot, tempDir } from '../../helpers/paths.js';

const fixtureDir = join(cImageFixtures, 'docker/fixtures/registries.d');

describe('loading the containers/image fixture directory', () => {
  it('merges every *.yaml file and ignores other names', async () => {
    const config = await loadRegistriesConfig(fixtureDir);
    expect(config.defaultDocker?.section.lookaside).toBe(
      'file:///mnt/companywide/signatures/for/other/repositories',
    );
    expect(config.defaultDocker?.file).toBe(
      join(fixtureDir, 'internet-user.yaml'),
    );
    const lookasides = Object.fromEntries(
      [...config.docker].map(([scope, c]) => [scope, c.section.lookaside]),
    );
    expect(lookasides).toEqual({
      'example.com': 'https://lookaside.example.com',
      'registry.test.example.com': 'http://registry.test.example.com/lookaside',
      'registry.test.example.com:8888':
        'http://registry.test.example.com:8889/lookaside',
      localhost: 'file:///home/mitr/mydevelopment1',
      'localhost:8080': 'file:///home/mitr/mydevelopment2',
      'localhost/invalid/url/test': ':emptyscheme',
      'localhost/file/path/test': '/no/scheme/just/a/path',
      'localhost/relative/path/test': 'no/scheme/relative/path',
      'docker.io/contoso': 'https://lookaside.contoso.com/fordocker',
      'docker.io/centos': 'https://lookaside.centos.org/',
      'docker.io/centos/mybetaproduct':
        'http://localhost:9999/mybetaWIP/lookaside',
      'docker.io/centos/mybetaproduct:latest': 'https://lookaside.centos.org/',
    });
    expect(
      config.docker.get('registry.test.example.com:8888')?.section
        .lookasideStaging,
    ).toBe(
      'https://registry.test.example.com:8889/lookaside/specialAPIserverWhichDoesNotExist',
    );
    expect(
      config.docker.get('docker.io/centos/mybetaproduct')?.section
        .lookasideStaging,
    ).toBe('file:///srv/mybetaWIP/lookaside');
    expect(config.docker.get('localhost')?.file).toBe(
      join(fixtureDir, 'internal-example.com.yaml'),
    );
    expect(config.warnings).toEqual([]);
  });

  it('treats a missing directory as an empty configuration', async () => {
    const dir = await tempDir();
    const config = await loadRegistriesConfig(join(dir, 'absent'));
    expect(config.docker.size).toBe(0);
    expect(config.defaultDocker).toBeUndefined();
  });
});

describe('parsing one file', () => {
  it('reads the older sigstore names and use-sigstore-attachments', async () => {
    const dir = await tempDir();
    await writeFile(
      join(dir, 'a.yaml'),
      'docker:\n  q.io:\n    sigstore: file:///a\n    sigstore-staging: file:///b\n    use-sigstore-attachments: true\n',
    );
    const config = await loadRegistriesConfig(dir);
    expect(config.docker.get('q.io')?.section).toEqual({
      sigstore: 'file:///a',
      sigstoreStaging: 'file:///b',
      useSigstoreAttachments: true,
    });
  });

  it('ignores unknown keys but reports each as a warning naming the file', async () => {
    const dir = await tempDir();
    const file = join(dir, 'a.yaml');
    await writeFile(
      file,
      'colour: blue\ndocker:\n  q.io:\n    lookside: file:///typo\n',
    );
    const config = await loadRegistriesConfig(dir);
    expect(config.docker.get('q.io')?.section).toEqual({});
    expect(config.warnings).toEqual([
      `${file}: unknown top-level key "colour" is ignored`,
      `${file}: unknown key "lookside" in docker scope "q.io" is ignored`,
    ]);
  });

  it('rejects a non-string URL and a non-boolean use-sigstore-attachments', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'a.yaml'), 'default-docker:\n  lookaside: [1]\n');
    await expect(loadRegistriesConfig(dir)).rejects.toThrow(
      /a\.yaml: default-docker\.lookaside must be a URL string/,
    );
    await writeFile(
      join(dir, 'a.yaml'),
      'default-docker:\n  use-sigstore-attachments: "yes"\n',
    );
    await expect(loadRegistriesConfig(dir)).rejects.toThrow(
      /use-sigstore-attachments must be true or false/,
    );
  });

  it('rejects a file whose top level is not a mapping', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'a.yaml'), '- a\n- b\n');
    await expect(loadRegistriesConfig(dir)).rejects.toMatchObject({
      code: 'REGISTRIES_D_FORMAT',
      message: expect.stringContaining('top level must be a mapping'),
    });
  });

  it('accepts an empty file', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'a.yaml'), '');
    const config = await loadRegistriesConfig(dir);
    expect(config.docker.size).toBe(0);
  });
});

describe('choosing the directory', () => {
  it('prefers the flag, then ~/.config, then /etc, then the shipped copy', async () => {
    const home = await tempDir();
    const system = join(home, 'etc-registries.d');
    const opts = { homeDir: home, systemDir: system, packageRoot: repoRoot };
    expect(resolveRegistriesDirWithSource(opts)).toEqual({
      dir: join(repoRoot, 'registries.d'),
      source: 'shipped',
    });
    await mkdir(system);
    expect(resolveRegistriesDirWithSource(opts)).toEqual({
      dir: system,
      source: 'system',
    });
    const user = join(home, '.config/containers/registries.d');
    await mkdir(user, { recursive: true });
    expect(resolveRegistriesDirWithSource(opts)).toEqual({
      dir: user,
      source: 'user',
    });
    expect(resolveRegistriesDirWithSource({ ...opts, flag: '/x' })).toEqual({
      dir: '/x',
      source: 'flag',
    });
  });

  it('loads through a SystemContext', async () => {
    const config = await loadRegistriesConfigFor({
      registriesDirPath: fixtureDir,
      homeDir: '/home/u',
      isRoot: false,
    });
    expect(config.dir).toBe(fixtureDir);
    expect(config.dirSource).toBe('flag');
    expect(config.builtInLookaside).toBe(
      'file:///home/u/.local/share/containers/sigstore',
    );
  });

  it('the shipped default.yaml loads and configures nothing', async () => {
    const config = await loadRegistriesConfig(join(repoRoot, 'registries.d'));
    expect(config.docker.size).toBe(0);
    expect(config.defaultDocker).toBeUndefined();
    expect(config.warnings).toEqual([]);
  });
});

describe('built-in default lookaside', () => {
  it('is /var/lib for root and under $HOME for others', () => {
    expect(builtInLookasideURL({ isRoot: true, homeDir: '/root' })).toBe(
      'file:///var/lib/containers/sigstore',
    );
    expect(builtInLookasideURL({ isRoot: false, homeDir: '/home/a b' })).toBe(
      'file:///home/a%20b/.local/share/containers/sigstore',
    );
  });
});
