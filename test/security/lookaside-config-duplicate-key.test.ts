import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRegistriesConfig } from '../../src/registries-d/load.js';
import { tempDir } from '../helpers/paths.js';

describe('when one YAML mapping repeats a key', () => {
  it('rejects the file (a later key must not silently win)', async () => {
    const dir = await tempDir();
    const file = join(dir, 'dup.yaml');
    await writeFile(
      file,
      'docker:\n  q.io:\n    lookaside: file:///good\n    lookaside: https://evil.example\n',
    );
    await expect(loadRegistriesConfig(dir)).rejects.toMatchObject({
      code: 'REGISTRIES_D_FORMAT',
      message: expect.stringMatching(/dup\.yaml: duplicated mapping key/),
    });
  });
});
