import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRegistriesConfig } from '../../src/registries-d/load.js';
import { parseNormalizedNamed } from '../../src/reference/docker-reference.js';
import { LookasideStore } from '../../src/signature-storage/lookaside.js';
import { tempDir } from '../helpers/paths.js';

describe('when the manifest digest is not a valid digest', () => {
  it.each([
    'sha256:../../../../etc/passwd',
    `sha256:${'a'.repeat(60)}/../x`,
    `sha256:${'A'.repeat(64)}`,
    `sha256:${'a'.repeat(63)}`,
    `md5:${'a'.repeat(32)}`,
    'sha256',
  ])('refuses to build a path from %s', async (digest) => {
    const root = await tempDir();
    const base = join(root, 'base');
    const conf = await tempDir();
    await writeFile(
      join(conf, 'a.yaml'),
      `default-docker:\n  lookaside: file://${base}\n`,
    );
    const store = new LookasideStore({
      config: await loadRegistriesConfig(conf),
      sys: {},
    });
    const ref = parseNormalizedNamed('q.io/a:1');
    const want = {
      code: 'UNSAFE_PATH',
      message: `refusing to build a lookaside path from invalid digest "${digest}"`,
    };
    await expect(store.read(ref, digest)).rejects.toMatchObject({
      code: 'UNSAFE_PATH',
    });
    await expect(
      store.add(ref, digest, [Buffer.from('x')]),
    ).rejects.toMatchObject(want);
    expect(await readdir(root)).toEqual([]);
  });
});
