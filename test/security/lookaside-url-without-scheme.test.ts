import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRegistriesConfig } from '../../src/registries-d/load.js';
import { parseNormalizedNamed } from '../../src/reference/docker-reference.js';
import { LookasideStore } from '../../src/signature-storage/lookaside.js';
import { tempDir } from '../helpers/paths.js';

describe('when the lookaside base URL has no scheme', () => {
  it.each(['/srv/sigs', 'srv/sigs', ':emptyscheme'])(
    'refuses %s for reading and writing, naming the file and scope',
    async (url) => {
      const dir = await tempDir();
      await writeFile(
        join(dir, 'a.yaml'),
        `docker:\n  q.io:\n    lookaside: "${url}"\n`,
      );
      const store = new LookasideStore({
        config: await loadRegistriesConfig(dir),
        sys: {},
      });
      const ref = parseNormalizedNamed('q.io/a:1');
      const digest = `sha256:${'1'.repeat(64)}`;
      const want = {
        code: 'REGISTRIES_D_FORMAT',
        message: expect.stringContaining(
          `invalid lookaside URL "${url}" (lookaside ${url} of docker scope "q.io" in ${join(dir, 'a.yaml')})`,
        ),
      };
      await expect(store.read(ref, digest)).rejects.toMatchObject(want);
      await expect(
        store.add(ref, digest, [Buffer.from('x')]),
      ).rejects.toMatchObject(want);
    },
  );
});
