import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRegistriesConfig } from '../../src/registries-d/load.js';
import { parseNormalizedNamed } from '../../src/reference/docker-reference.js';
import { LookasideStore } from '../../src/signature-storage/lookaside.js';
import { startHttpServer } from '../servers/static-http.js';
import { tempDir } from '../helpers/paths.js';

describe('when the lookaside server has a signature at every index', () => {
  it('stops after 128 with an error instead of reading forever', async () => {
    const server = await startHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end('sig');
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
          `sha256:${'5'.repeat(64)}`,
        ),
      ).rejects.toMatchObject({
        code: 'INCONCLUSIVE',
        message: expect.stringContaining('holds more than 128 signatures'),
      });
      expect(server.requests).toHaveLength(129);
    } finally {
      await server.close();
    }
  });
});
