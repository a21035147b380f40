import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRegistriesConfig } from '../../src/registries-d/load.js';
import { tempDir } from '../helpers/paths.js';

describe('when two registries.d files both define default-docker', () => {
  it('refuses the configuration and names both files', async () => {
    const dir = await tempDir();
    await writeFile(
      join(dir, 'a.yaml'),
      'default-docker:\n  lookaside: file:///a\n',
    );
    await writeFile(join(dir, 'b.yaml'), 'default-docker: {}\n');
    await expect(loadRegistriesConfig(dir)).rejects.toMatchObject({
      code: 'REGISTRIES_D_FORMAT',
      message: `"default-docker" is defined both in ${join(dir, 'a.yaml')} and in ${join(dir, 'b.yaml')}: keep only one`,
    });
  });
});
