import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRegistriesConfig } from '../../src/registries-d/load.js';
import { parseNormalizedNamed } from '../../src/reference/docker-reference.js';
import { LookasideStore } from '../../src/signature-storage/lookaside.js';
import { tempDir } from '../helpers/paths.js';

describe('when the lookaside base URL has an unsupported scheme', () => {
  it.each(['ftp://example.com/sigs', 'javascript:alert(1)', 'data:,x'])(
    'refuses %s',
    async (url) => {
      const dir = await tempDir();
      await writeFile(
        join(dir, 'a.yaml'),
        `default-docker:\n  lookaside: "${url}"\n`,
      );
      const store = new LookasideStore({
        config: await loadRegistriesConfig(dir),
        sys: {},
      });
      await expect(
        store.read(
          parseNormalizedNamed('q.io/a:1'),
          `sha256:${'1'.repeat(64)}`,
        ),
      ).rejects.toMatchObject({
        code: 'REGISTRIES_D_FORMAT',
        message: expect.stringMatching(
          /^unsupported scheme ".*" in lookaside URL \(lookaside .* of "default-docker" in .*a\.yaml\): use file:, http: or https:$/,
        ),
      });
    },
  );
});
