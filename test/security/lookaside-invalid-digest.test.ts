import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/paths.js';
import { REF, lookasideStore } from './hostile-lookaside.js';

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
    const { store } = await lookasideStore(`file://${join(root, 'base')}`);
    const want = {
      code: 'UNSAFE_PATH',
      message: `refusing to build a lookaside path from invalid digest "${digest}"`,
    };
    await expect(store.read(REF, digest)).rejects.toMatchObject({
      code: 'UNSAFE_PATH',
    });
    await expect(
      store.add(REF, digest, [Buffer.from('x')]),
    ).rejects.toMatchObject(want);
    expect(await readdir(root)).toEqual([]);
  });
});
