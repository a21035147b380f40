import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRegistriesConfig } from '../../../src/registries-d/load.js';
import { parseNormalizedNamed } from '../../../src/reference/docker-reference.js';
import { LookasideStore } from '../../../src/signature-storage/lookaside.js';
import { tempDir } from '../../helpers/paths.js';

const hex = 'ab'.repeat(32);
const digest = `sha256:${hex}`;
const ref = parseNormalizedNamed('registry.example.com/team/app:1');

async function storeFor(yaml: string | ((base: string) => string)) {
  const base = await tempDir();
  const confDir = await tempDir();
  await writeFile(
    join(confDir, 'conf.yaml'),
    typeof yaml === 'string' ? yaml : yaml(base),
  );
  const config = await loadRegistriesConfig(confDir, {
    isRoot: false,
    homeDir: base,
  });
  return { base, confDir, store: new LookasideStore({ config, sys: {} }) };
}

const fileConf = (base: string) =>
  `default-docker:\n  lookaside: file://${base}\n`;

describe('file lookaside', () => {
  it('writes signature-1.. under <base>/<path without host>@sha256=<hex>/ and reads them back', async () => {
    const { base, store } = await storeFor(fileConf);
    const sigs = [Buffer.from('one'), Buffer.from('two')];
    const written = await store.add(ref, digest, sigs);
    const dir = join(base, `team/app@sha256=${hex}`);
    expect(written).toEqual([
      `file://${dir}/signature-1`,
      `file://${dir}/signature-2`,
    ]);
    expect(await readFile(join(dir, 'signature-2'), 'utf8')).toBe('two');
    expect((await stat(join(dir, 'signature-1'))).mode & 0o777).toBe(0o644);
    expect(await store.read(ref, digest)).toEqual(sigs);
    // No temporary files are left behind.
    expect((await readdir(dir)).sort()).toEqual(['signature-1', 'signature-2']);
  });

  it('returns [] when there are no signatures', async () => {
    const { store } = await storeFor(fileConf);
    expect(await store.read(ref, digest)).toEqual([]);
  });

  it('appends after existing signatures and skips byte-identical ones', async () => {
    const { base, store } = await storeFor(fileConf);
    await store.add(ref, digest, [Buffer.from('a')]);
    const written = await store.add(ref, digest, [
      Buffer.from('a'),
      Buffer.from('b'),
      Buffer.from('b'),
    ]);
    expect(written).toEqual([
      `file://${base}/team/app@sha256=${hex}/signature-2`,
    ]);
    expect((await store.read(ref, digest)).map(String)).toEqual(['a', 'b']);
  });

  it('stops reading at the first missing index', async () => {
    const { base, store } = await storeFor(fileConf);
    const dir = join(base, `team/app@sha256=${hex}`);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'signature-1'), 'x');
    await writeFile(join(dir, 'signature-3'), 'z');
    expect((await store.read(ref, digest)).map(String)).toEqual(['x']);
  });

  it('writes to lookaside-staging and reads from lookaside', async () => {
    const staging = await tempDir();
    const { base, store } = await storeFor(
      (b) =>
        `docker:\n  registry.example.com:\n    lookaside: file://${b}\n    lookaside-staging: file://${staging}\n`,
    );
    await store.add(ref, digest, [Buffer.from('s')]);
    expect(
      await readFile(
        join(staging, `team/app@sha256=${hex}/signature-1`),
        'utf8',
      ),
    ).toBe('s');
    expect(await store.read(ref, digest)).toEqual([]);
    expect(store.describe(ref, digest)).toBe(
      `lookaside file://${base}/team/app@sha256=${hex}/ (writes to file://${staging}/team/app@sha256=${hex}/)`,
    );
  });

  it('uses the built-in default under $HOME when nothing is configured', async () => {
    const { base, store } = await storeFor('{}');
    await store.add(ref, digest, [Buffer.from('d')]);
    expect(
      await readFile(
        join(
          base,
          `.local/share/containers/sigstore/team/app@sha256=${hex}/signature-1`,
        ),
        'utf8',
      ),
    ).toBe('d');
  });
});

describe('when twenty writers add signatures to one image at once', () => {
  it('keeps all twenty, each intact', async () => {
    const { store } = await storeFor(fileConf);
    const sigs = Array.from({ length: 20 }, () => randomBytes(4096));
    const results = await Promise.all(
      sigs.map((s) => store.add(ref, digest, [s])),
    );
    const urls = results.flat();
    expect(new Set(urls).size).toBe(20);
    const stored = await store.read(ref, digest);
    expect(stored).toHaveLength(20);
    const want = sigs.map((s) => s.toString('hex')).sort();
    expect(stored.map((s) => s.toString('hex')).sort()).toEqual(want);
  });
});

describe('when the lookaside directory cannot be created', () => {
  it('names the registries.d file and scope and suggests --registries.d', async () => {
    const blocker = join(await tempDir(), 'not-a-dir');
    await writeFile(blocker, '');
    const { confDir, store } = await storeFor(
      `docker:\n  registry.example.com/team:\n    lookaside: file://${blocker}/sub\n`,
    );
    await expect(store.add(ref, digest, [Buffer.from('x')])).rejects.toThrow(
      new RegExp(
        `cannot write signatures to .*the location comes from lookaside file://${blocker}/sub of docker scope "registry.example.com/team" in ${join(confDir, 'conf.yaml')}\\. Use --registries\\.d DIR`,
      ),
    );
  });

  it('says when the location is the built-in default', async () => {
    const blocker = join(await tempDir(), 'home-is-a-file');
    await writeFile(blocker, '');
    const confDir = await tempDir();
    const config = await loadRegistriesConfig(confDir, {
      isRoot: false,
      homeDir: blocker,
    });
    const store = new LookasideStore({ config, sys: {} });
    await expect(store.add(ref, digest, [Buffer.from('x')])).rejects.toThrow(
      new RegExp(
        `the built-in default lookaside file://${blocker}/.local/share/containers/sigstore \\(no registries.d section in ${confDir} applies\\)\\. Use --registries\\.d DIR`,
      ),
    );
  });
});
