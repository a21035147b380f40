import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRegistriesConfig } from '../../src/registries-d/load.js';
import { tempDir } from '../helpers/paths.js';

describe('when a registries.d file is not valid YAML', () => {
  it('fails naming the file instead of ignoring it', async () => {
    const dir = await tempDir();
    const file = join(dir, 'broken.yaml');
    await writeFile(file, 'docker:\n  q.io: [unclosed\n');
    await expect(loadRegistriesConfig(dir)).rejects.toMatchObject({
      code: 'REGISTRIES_D_FORMAT',
      message: expect.stringMatching(
        new RegExp(`^parsing registries\\.d file ${file}: `),
      ),
    });
  });
});
