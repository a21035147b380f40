/**
 * SPEC §7.9: a symbolic link planted as a cached metadata file is neither
 * followed when reading (it could point at any file) nor written through
 * (the write replaces the link, never its target).
 */
import { mkdir, readFile, symlink, writeFile, lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ImgsignError } from '../../src/errors.js';
import { FileTrustCache } from '../../src/notary/trust-cache.js';
import { tempDir } from '../helpers/paths.js';

const gun = 'example.com/team/app';

async function planted() {
  const base = await tempDir();
  const outside = join(base, 'outside.json');
  await writeFile(outside, '{"not":"metadata"}');
  const trustDir = join(base, 'trust');
  const meta = join(trustDir, 'tuf', gun, 'metadata');
  await mkdir(meta, { recursive: true });
  await symlink(outside, join(meta, 'root.json'));
  return { outside, meta, cache: new FileTrustCache(trustDir) };
}

describe('when a cached metadata file is a symbolic link', () => {
  it('refuses to read through it', async () => {
    const { cache } = await planted();
    const err = await cache.get(gun, 'root').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImgsignError);
    expect((err as ImgsignError).code).toBe('UNSAFE_PATH');
    expect((err as ImgsignError).message).toMatch(/symbolic link; remove it/);
  });

  it('replaces the link on write and leaves its target alone', async () => {
    const { cache, outside, meta } = await planted();
    await cache.set(gun, 'root', Buffer.from('{"new":1}'));
    expect(await readFile(outside, 'utf8')).toBe('{"not":"metadata"}');
    expect((await lstat(join(meta, 'root.json'))).isSymbolicLink()).toBe(false);
    expect(Buffer.from((await cache.get(gun, 'root'))!).toString()).toBe(
      '{"new":1}',
    );
  });

  it('refuses a directory where a file should be', async () => {
    const { cache, meta } = await planted();
    await mkdir(join(meta, 'timestamp.json'));
    const err = await cache.get(gun, 'timestamp').catch((e: unknown) => e);
    expect((err as ImgsignError).code).toBe('UNSAFE_PATH');
  });
});
