import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRegistriesConfig } from '../../src/registries-d/load.js';
import { parseNormalizedNamed } from '../../src/reference/docker-reference.js';
import { LookasideStore } from '../../src/signature-storage/lookaside.js';
import { tempDir } from '../helpers/paths.js';

const hex = '7'.repeat(64);

async function setup() {
  const base = await tempDir();
  const conf = await tempDir();
  await writeFile(
    join(conf, 'a.yaml'),
    `default-docker:\n  lookaside: file://${base}\n`,
  );
  const store = new LookasideStore({
    config: await loadRegistriesConfig(conf),
    sys: {},
  });
  const dir = join(base, `a@sha256=${hex}`);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'signature-1'), 'first');
  return { store, dir };
}

describe('when a signature path is not a regular file', () => {
  it('a directory at signature-2 is an error, not the end of the list', async () => {
    const { store, dir } = await setup();
    await mkdir(join(dir, 'signature-2'));
    await expect(
      store.read(parseNormalizedNamed('q.io/a:1'), `sha256:${hex}`),
    ).rejects.toMatchObject({
      message: expect.stringContaining(
        `${join(dir, 'signature-2')} is not a regular file`,
      ),
    });
  });

  it('a symlink loop at signature-2 is an error, not the end of the list', async () => {
    const { store, dir } = await setup();
    await symlink('signature-2', join(dir, 'signature-2'));
    await expect(
      store.read(parseNormalizedNamed('q.io/a:1'), `sha256:${hex}`),
    ).rejects.toMatchObject({
      message: expect.stringMatching(/reading signature-2 .*ELOOP/),
    });
  });
});
