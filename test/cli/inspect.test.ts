import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDirImage, makeDirList } from '../fixtures/make-images.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/paths.js';

describe('imgsign inspect', () => {
  it('prints a skopeo-style summary', async () => {
    const t = await tempDir();
    const img = await makeDirImage(t, {
      format: 'oci',
      architecture: 'arm64',
      variant: 'v8',
    });
    const r = await runCli(['inspect', `dir:${t}`]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual([
      'Digest',
      'RepoTags',
      'Created',
      'DockerVersion',
      'Labels',
      'Architecture',
      'Variant',
      'Os',
      'Layers',
      'LayersData',
      'Env',
    ]);
    expect(out).toMatchObject({
      Digest: img.manifestDigest,
      RepoTags: [],
      Architecture: 'arm64',
      Variant: 'v8',
      Os: 'linux',
      Labels: { scenario: 'imgsign-test' },
      Layers: img.layers.map((l) => l.digest),
      Env: ['PATH=/usr/bin'],
    });
    expect(r.stdout).toMatch(/^\{\n {4}"Digest"/);
  });

  it('prints the exact manifest bytes with --raw and the config with --config', async () => {
    const t = await tempDir();
    const img = await makeDirImage(t);
    const raw = await runCli(['inspect', '--raw', `dir:${t}`]);
    expect(raw.stdout).toBe(img.manifest.toString('utf8'));
    const cfg = await runCli(['inspect', '--config', `dir:${t}`]);
    const config = JSON.parse(
      await readFile(join(t, img.config.digest.slice(7)), 'utf8'),
    ) as unknown;
    expect(JSON.parse(cfg.stdout)).toEqual(config);
    const rawCfg = await runCli(['inspect', '--raw', '--config', `dir:${t}`]);
    expect(rawCfg.stdout).toBe(
      await readFile(join(t, img.config.digest.slice(7)), 'utf8'),
    );
  });

  it('describes the platform instance of a list but reports the list digest', async () => {
    const t = await tempDir();
    const l = await makeDirList(t, [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 's390x' },
    ]);
    const r = await runCli([
      'inspect',
      '--override-arch',
      's390x',
      '--json',
      `dir:${t}`,
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out['Digest']).toBe(l.manifestDigest);
    expect(out['Architecture']).toBe('s390x');
    expect(out['Layers']).toEqual(l.instances[1]!.layers.map((x) => x.digest));
  });

  it('fails with exit 3 for a missing image', async () => {
    const t = await tempDir();
    const r = await runCli(['inspect', `dir:${t}`]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/manifest\.json does not exist/);
  });
});
