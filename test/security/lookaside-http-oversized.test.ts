import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRegistriesConfig } from '../../src/registries-d/load.js';
import { parseNormalizedNamed } from '../../src/reference/docker-reference.js';
import { LookasideStore } from '../../src/signature-storage/lookaside.js';
import { startHttpServer } from '../servers/static-http.js';
import { tempDir } from '../helpers/paths.js';

const limit = 4 * 1024 * 1024;

describe('when the lookaside server sends more than 4 MiB', () => {
  it.each([
    ['with a Content-Length', true],
    ['chunked, without a Content-Length', false],
  ])('rejects the signature %s', async (_name, declared) => {
    const server = await startHttpServer((_req, res) => {
      const chunk = Buffer.alloc(1024 * 1024, 1);
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        ...(declared ? { 'content-length': 5 * chunk.length } : {}),
      });
      for (let i = 0; i < 5; i++) res.write(chunk);
      res.end();
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
          `sha256:${'4'.repeat(64)}`,
        ),
      ).rejects.toMatchObject({
        message: expect.stringContaining(`is larger than ${limit} bytes`),
      });
    } finally {
      await server.close();
    }
  });
});
