import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRegistriesConfig } from '../../src/registries-d/load.js';
import { parseNormalizedNamed } from '../../src/reference/docker-reference.js';
import { LookasideStore } from '../../src/signature-storage/lookaside.js';
import { startHttpServer } from '../servers/static-http.js';
import { tempDir } from '../helpers/paths.js';

describe('when the write location is an http(s) lookaside', () => {
  it('refuses to write and sends nothing to the server', async () => {
    const server = await startHttpServer((_req, res) => {
      res.writeHead(201).end();
    });
    try {
      const dir = await tempDir();
      await writeFile(
        join(dir, 'a.yaml'),
        `docker:\n  q.io:\n    lookaside: ${server.url}/sigs\n`,
      );
      const store = new LookasideStore({
        config: await loadRegistriesConfig(dir),
        sys: {},
      });
      await expect(
        store.add(
          parseNormalizedNamed('q.io/a:1'),
          `sha256:${'2'.repeat(64)}`,
          [Buffer.from('x')],
        ),
      ).rejects.toMatchObject({
        code: 'UNSUPPORTED',
        message: expect.stringContaining(
          `only file: lookasides can be written. Configure a lookaside-staging`,
        ),
      });
      expect(server.requests).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
