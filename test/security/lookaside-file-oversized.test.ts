import { mkdir, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/paths.js';
import { REF, lookasideStore } from './hostile-lookaside.js';

describe('when a lookaside signature file is larger than 4 MiB', () => {
  it('is rejected without being read into memory', async () => {
    const base = await tempDir();
    const { store } = await lookasideStore(`file://${base}`);
    const hex = '9'.repeat(64);
    const dir = join(base, `a@sha256=${hex}`);
    await mkdir(dir, { recursive: true });
    const file = join(dir, 'signature-1');
    await writeFile(file, '');
    await truncate(file, 64 * 1024 * 1024 * 1024); // sparse: 64 GiB
    await expect(store.read(REF, `sha256:${hex}`)).rejects.toMatchObject({
      message: `reading signature-1 for q.io/a@sha256:${hex}: ${file} is larger than ${4 * 1024 * 1024} bytes: refusing to read it`,
    });
  });
});
