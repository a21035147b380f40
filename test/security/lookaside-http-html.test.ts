import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRegistriesConfig } from '../../src/registries-d/load.js';
import { parseNormalizedNamed } from '../../src/reference/docker-reference.js';
import { LookasideStore } from '../../src/signature-storage/lookaside.js';
import { startHttpServer } from '../servers/static-http.js';
import { tempDir } from '../helpers/paths.js';

describe('when the lookaside server answers 200 with an HTML page', () => {
  it('is an error, not a signature', async () => {
    const server = await startHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<html><body>Welcome to our portal</body></html>');
    });
    try {
      const dir = await tempDir();
      await writeFile(
        join(dir, 'a.yaml'),
        `default-docker:\n  lookaside: ${server.url}\n`,
      );
      const store = new LookasideStore({
        config: await loadRegistriesConfig(dir),
        sys: {},
      });
      await expect(
        store.read(
          parseNormalizedNamed('q.io/a:1'),
          `sha256:${'3'.repeat(64)}`,
        ),
      ).rejects.toMatchObject({
        code: 'INCONCLUSIVE',
        message: expect.stringContaining(
          'the server returned an HTML page, not a signature',
        ),
      });
    } finally {
      await server.close();
    }
  });
});
