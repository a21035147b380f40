import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../../src/internal/atomic-file.js';
import { tempDir } from '../../helpers/paths.js';

describe('writeFileAtomic', () => {
  it('replaces the file and leaves no temporary name behind', async () => {
    const dir = await tempDir();
    const path = join(dir, 'policy.json');
    await writeFileAtomic(path, 'old');
    await writeFileAtomic(path, 'new');
    expect(await readFile(path, 'utf8')).toBe('new');
    expect(await readdir(dir)).toEqual(['policy.json']);
  });

  it('sets exactly the mode asked for with exactMode, whatever the umask', async () => {
    const dir = await tempDir();
    const path = join(dir, 'auth.json');
    const old = process.umask(0o077);
    try {
      await writeFileAtomic(path, '{}', { mode: 0o644, exactMode: true });
    } finally {
      process.umask(old);
    }
    expect((await stat(path)).mode & 0o777).toBe(0o644);
  });

  it('fails with one line naming the path and keeps the target untouched', async () => {
    const dir = await tempDir();
    // A directory where the file should go: rename fails, nothing changes.
    const path = join(dir, 'target');
    await mkdir(path);
    await expect(writeFileAtomic(path, 'data')).rejects.toThrow(
      new RegExp(`^cannot write ${path}: `),
    );
    expect((await stat(path)).isDirectory()).toBe(true);
    expect(await readdir(dir)).toEqual(['target']);
  });
});
