import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { cImageFixtures, tempDir } from '../helpers/paths.js';
import { startHttpServer } from '../servers/static-http.js';

const fixtureDir = join(cImageFixtures, 'docker/fixtures/registries.d');
const hex = '0123456789abcdef'.repeat(4);

describe('imgsign registries-d show', () => {
  it('names the file, scope and URLs (text)', async () => {
    const res = await runCli([
      'registries-d',
      'show',
      'docker://docker.io/centos/mybetaproduct:beta',
      '--registries.d',
      fixtureDir,
    ]);
    expect(res.code).toBe(0);
    const file = join(fixtureDir, 'internet-user.yaml');
    expect(res.stdout).toContain(
      `registries.d:   ${fixtureDir} (from --registries.d)`,
    );
    expect(res.stdout).toContain(
      'read:           http://localhost:9999/mybetaWIP/lookaside/centos/mybetaproduct@<algo>=<hex>/signature-N',
    );
    expect(res.stdout).toContain(
      `(lookaside of scope "docker.io/centos/mybetaproduct" in ${file})`,
    );
    expect(res.stdout).toContain(
      'write:          file:///srv/mybetaWIP/lookaside/centos/mybetaproduct@<algo>=<hex>/signature-N',
    );
    expect(res.stdout).toContain(
      `(lookaside-staging of scope "docker.io/centos/mybetaproduct" in ${file})`,
    );
  });

  it('reports JSON with the exact signature directory for a digest reference', async () => {
    const res = await runCli([
      'registries-d',
      'show',
      `example.com/my/project@sha256:${hex}`,
      '--registries.d',
      fixtureDir,
      '--json',
    ]);
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout);
    expect(out).toEqual({
      image: `example.com/my/project@sha256:${hex}`,
      directory: fixtureDir,
      directorySource: 'flag',
      read: {
        url: 'https://lookaside.example.com',
        scope: 'example.com',
        file: join(fixtureDir, 'internal-example.com.yaml'),
        key: 'lookaside',
        builtIn: false,
        location: `https://lookaside.example.com/my/project@sha256=${hex}/signature-N`,
      },
      write: {
        url: 'https://lookaside.example.com',
        scope: 'example.com',
        file: join(fixtureDir, 'internal-example.com.yaml'),
        key: 'lookaside',
        builtIn: false,
        location: `https://lookaside.example.com/my/project@sha256=${hex}/signature-N`,
        error:
          'https: lookasides cannot be written: configure a file: lookaside-staging',
      },
      warnings: [],
    });
  });

  it('uses ~/.config/containers/registries.d and shows the built-in default under $HOME for others', async () => {
    const home = await tempDir();
    const dir = join(home, '.config/containers/registries.d');
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, 'x.yaml'),
      'docker:\n  q.io:\n    lookside: typo\n    use-sigstore-attachments: true\n',
    );
    const res = await runCli(['registries-d', 'show', 'q.io/a:1', '--json'], {
      env: { HOME: home },
    });
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout);
    expect(out.directory).toBe(dir);
    expect(out.directorySource).toBe('user');
    expect(out.read.builtIn).toBe(true);
    expect(out.sigstoreAttachments).toEqual({
      enabled: true,
      scope: 'q.io',
      file: join(dir, 'x.yaml'),
      supported: false,
    });
    expect(out.warnings).toEqual([
      `${join(dir, 'x.yaml')}: unknown key "lookside" in docker scope "q.io" is ignored`,
    ]);
    if (process.geteuid?.() !== 0) {
      expect(out.read.url).toBe(
        `file://${home}/.local/share/containers/sigstore`,
      );
    }
    const text = await runCli(['registries-d', 'show', 'q.io/a:1'], {
      env: { HOME: home },
    });
    expect(text.stdout).toContain('is not supported by imgsign and is ignored');
    expect(text.stdout).toContain('warning: ');
  });

  it('fails with exit 2 naming both files when a scope is defined twice', async () => {
    const dir = await tempDir();
    await writeFile(
      join(dir, 'a.yaml'),
      'docker:\n  q.io:\n    lookaside: file:///a\n',
    );
    await writeFile(
      join(dir, 'b.yaml'),
      'docker:\n  q.io:\n    lookaside: file:///b\n',
    );
    const res = await runCli([
      'registries-d',
      'show',
      'q.io/a:1',
      '--registries.d',
      dir,
    ]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(
      `imgsign: docker scope "q.io" is defined both in ${join(dir, 'a.yaml')} and in ${join(dir, 'b.yaml')}`,
    );
  });

  it('refuses images of other transports', async () => {
    const res = await runCli(['registries-d', 'show', 'dir:/tmp/x']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(
      'registries.d applies only to docker:// references',
    );
  });

  it('--ping reports whether the registry offers the extension API', async () => {
    const server = await startHttpServer((_req, res) => {
      res.writeHead(200, { 'x-registry-supports-signatures': '1' }).end('{}');
    });
    try {
      const host = server.url.replace('http://', '');
      const dir = await tempDir();
      const res = await runCli([
        'registries-d',
        'show',
        `${host}/a:1`,
        '--registries.d',
        dir,
        '--ping',
        '--tls-verify=false',
        '--json',
      ]);
      expect(res.code).toBe(0);
      expect(JSON.parse(res.stdout).extensionAPI).toEqual({
        supported: true,
        scheme: 'http',
      });
    } finally {
      await server.close();
    }
  });
});
