import { mkdir, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRegistriesConfig } from '../../src/registries-d/load.js';
import { parseNormalizedNamed } from '../../src/reference/docker-reference.js';
import { LookasideStore } from '../../src/signature-storage/lookaside.js';
import { tempDir } from '../helpers/paths.js';

describe('when a lookaside signature file is larger than 4 MiB', () => {
  it('is rejected without being read into memory', async () => {
    const base = await tempDir();
    const conf = await tempDir();
    await writeFile(
      join(conf, 'a.yaml'),
      `default-docker:\n  lookaside: file://${base}\n`,
    );
    const hex = '9'.repeat(64);
    const dir = join(base, `a@sha256=${hex}`);
    await mkdir(dir, { recursive: true });
    const file = join(dir, 'signature-1');
    await writeFile(file, '');
    await truncate(file, 64 * 1024 * 1024 * 1024); // sparse: 64 GiB
    const store = new LookasideStore({
      config: await loadRegistriesConfig(conf),
      sys: {},
    });
    await expect(
      store.read(parseNormalizedNamed('q.io/a:1'), `sha256:${hex}`),
    ).rejects.toMatchObject({
      message: `reading signature-1 for q.io/a@sha256:${hex}: ${file} is larger than ${4 * 1024 * 1024} bytes: refusing to read it`,
    });
  });
});
