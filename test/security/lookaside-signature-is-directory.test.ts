import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/paths.js';
import { REF, lookasideStore } from './hostile-lookaside.js';

const hex = '7'.repeat(64);

async function setup() {
  const base = await tempDir();
  const { store } = await lookasideStore(`file://${base}`);
  const dir = join(base, `a@sha256=${hex}`);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'signature-1'), 'first');
  return { store, dir };
}

describe('when a signature path is not a regular file', () => {
  it('a directory at signature-2 is an error, not the end of the list', async () => {
    const { store, dir } = await setup();
    await mkdir(join(dir, 'signature-2'));
    await expect(store.read(REF, `sha256:${hex}`)).rejects.toMatchObject({
      message: expect.stringContaining(
        `${join(dir, 'signature-2')} is not a regular file`,
      ),
    });
  });

  it('a symlink loop at signature-2 is an error, not the end of the list', async () => {
    const { store, dir } = await setup();
    await symlink('signature-2', join(dir, 'signature-2'));
    await expect(store.read(REF, `sha256:${hex}`)).rejects.toMatchObject({
      message: expect.stringMatching(/reading signature-2 .*ELOOP/),
    });
  });
});
