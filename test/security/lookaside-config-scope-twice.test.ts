import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRegistriesConfig } from '../../src/registries-d/load.js';
import { tempDir } from '../helpers/paths.js';

describe('when two registries.d files define the same docker scope', () => {
  it('refuses it even if both definitions are identical, naming both files', async () => {
    const dir = await tempDir();
    const body = 'docker:\n  quay.io/ns:\n    lookaside: file:///same\n';
    await writeFile(join(dir, 'one.yaml'), body);
    await writeFile(join(dir, 'two.yaml'), body);
    await expect(loadRegistriesConfig(dir)).rejects.toMatchObject({
      code: 'REGISTRIES_D_FORMAT',
      message: `docker scope "quay.io/ns" is defined both in ${join(dir, 'one.yaml')} and in ${join(dir, 'two.yaml')}: keep only one`,
    });
  });
});
