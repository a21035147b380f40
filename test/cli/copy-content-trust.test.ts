import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDirImage } from '../fixtures/make-images.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/paths.js';
import { freePort } from '../servers/registry.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

/** The CLI with a temp HOME/DOCKER_CONFIG and content trust set by `env`. */
async function imgsign(
  args: string[],
  env: Record<string, string | undefined> = {},
) {
  const home = await tempDir();
  return runCli(args, {
    env: {
      HOME: home,
      DOCKER_CONFIG: join(home, '.docker'),
      XDG_RUNTIME_DIR: undefined,
      REGISTRY_AUTH_FILE: undefined,
      DOCKER_CONTENT_TRUST: undefined,
      DOCKER_CONTENT_TRUST_SERVER: undefined,
      ...env,
    },
  });
}

/** A tagged docker:// source whose registry and notary server both refuse connections. */
async function deadSource(): Promise<{ source: string; server: string }> {
  return {
    source: `docker://127.0.0.1:${await freePort()}/team/app:v1`,
    server: `https://127.0.0.1:${await freePort()}`,
  };
}

describe('imgsign copy --disable-content-trust / DOCKER_CONTENT_TRUST', () => {
  it('documents the flag, the variable and an example in --help', async () => {
    const r = await runCli(['copy', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--\[no-\]disable-content-trust/);
    expect(r.stdout).toContain('DOCKER_CONTENT_TRUST=1');
    expect(r.stdout).toContain('CONTENT TRUST FLAGS');
  });

  it.each(['1', 'true', 'yes'])(
    'DOCKER_CONTENT_TRUST=%s asks the notary server before the registry (and fails closed, exit 3)',
    async (value) => {
      const { source, server } = await deadSource();
      const out = join(await tempDir(), 'out');
      const r = await imgsign(
        ['copy', '--insecure-policy', source, `dir:${out}`],
        { DOCKER_CONTENT_TRUST: value, DOCKER_CONTENT_TRUST_SERVER: server },
      );
      expect(r.code).toBe(3);
      expect(r.stderr).toContain(
        `content trust for ${source.slice('docker://'.length)}: error contacting notary server ${server}`,
      );
      expect(r.stdout).toBe('');
      expect(existsSync(out)).toBe(false);
    },
  );

  it.each([
    ['DOCKER_CONTENT_TRUST=0', { DOCKER_CONTENT_TRUST: '0' }, []],
    ['DOCKER_CONTENT_TRUST=False', { DOCKER_CONTENT_TRUST: 'False' }, []],
    ['DOCKER_CONTENT_TRUST unset', {}, []],
    [
      '--disable-content-trust',
      { DOCKER_CONTENT_TRUST: '1' },
      ['--disable-content-trust'],
    ],
    [
      '--disable-content-trust=true',
      { DOCKER_CONTENT_TRUST: '1' },
      ['--disable-content-trust=true'],
    ],
  ])(
    '%s: a plain copy (the registry is asked, not notary)',
    async (_n, env, flags) => {
      const { source, server } = await deadSource();
      const r = await imgsign(
        [
          'copy',
          '--insecure-policy',
          ...flags,
          source,
          `dir:${await tempDir()}/o`,
        ],
        { ...env, DOCKER_CONTENT_TRUST_SERVER: server },
      );
      expect(r.code).toBe(3);
      expect(r.stderr).not.toContain('notary');
      expect(r.stderr).not.toContain('content trust');
    },
  );

  it('--disable-content-trust=false turns content trust on without the variable', async () => {
    const { source, server } = await deadSource();
    const r = await imgsign(
      [
        'copy',
        '--insecure-policy',
        '--disable-content-trust=false',
        source,
        `dir:${await tempDir()}/o`,
      ],
      { DOCKER_CONTENT_TRUST_SERVER: server },
    );
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`error contacting notary server ${server}`);
  });

  it('refuses a non-boolean --disable-content-trust value', async () => {
    const r = await imgsign([
      'copy',
      '--disable-content-trust=maybe',
      'dir:/nonexistent',
      'dir:/nonexistent2',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'invalid value "maybe" for --disable-content-trust: expected true or false',
    );
  });

  it('refuses to push to a digest reference with content trust on, before touching anything', async () => {
    const t = await tempDir();
    await makeDirImage(join(t, 's'));
    const dest = `docker://127.0.0.1:${await freePort()}/team/app@${DIGEST}`;
    const r = await imgsign(['copy', '--insecure-policy', `dir:${t}/s`, dest], {
      DOCKER_CONTENT_TRUST: '1',
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `cannot push ${dest} with content trust: a digest reference cannot be signed; give a tag, or use --disable-content-trust`,
    );
  });

  it('copies a digest source as given (no trust lookup), as docker does', async () => {
    const source = `docker://127.0.0.1:${await freePort()}/team/app@${DIGEST}`;
    const r = await imgsign(
      ['copy', '--insecure-policy', source, `dir:${await tempDir()}/o`],
      {
        DOCKER_CONTENT_TRUST: '1',
        DOCKER_CONTENT_TRUST_SERVER: `https://127.0.0.1:${await freePort()}`,
      },
    );
    expect(r.code).toBe(3);
    expect(r.stderr).not.toContain('notary');
  });

  it('leaves copies between non-registry transports alone', async () => {
    const t = await tempDir();
    const img = await makeDirImage(join(t, 's'), { format: 'oci' });
    const r = await imgsign(
      ['copy', '--insecure-policy', `dir:${t}/s`, `oci:${t}/l:v1`],
      { DOCKER_CONTENT_TRUST: '1' },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(
      `Copied dir:${t}/s to oci:${t}/l:v1: ${img.manifestDigest} (3 blobs, 0 signatures)`,
    );
  });

  it('rejects an http:// DOCKER_CONTENT_TRUST_SERVER as docker does (usage, exit 2)', async () => {
    const { source } = await deadSource();
    const r = await imgsign(
      ['copy', '--insecure-policy', source, `dir:${await tempDir()}/o`],
      {
        DOCKER_CONTENT_TRUST: '1',
        DOCKER_CONTENT_TRUST_SERVER: 'http://127.0.0.1:4443',
      },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'valid https URL required for trust server, got http://127.0.0.1:4443',
    );
  });
});
