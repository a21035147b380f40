import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRegistriesConfig } from '../../src/registries-d/load.js';
import { parseNormalizedNamed } from '../../src/reference/docker-reference.js';
import { LookasideStore } from '../../src/signature-storage/lookaside.js';
import { startHttpServer } from '../servers/static-http.js';
import { tempDir } from '../helpers/paths.js';

describe('when the lookaside server fails instead of answering 404', () => {
  it.each([403, 500, 503, 401, 204])(
    'status %i is an error, never "no signatures"',
    async (status) => {
      const server = await startHttpServer((_req, res) => {
        res.writeHead(status).end();
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
            `sha256:${'6'.repeat(64)}`,
          ),
        ).rejects.toMatchObject({
          code: 'REGISTRY_HTTP',
          message: expect.stringMatching(
            new RegExp(
              `^reading signature-1 for q\\.io/a@sha256:6+: GET ${server.url}/a@sha256=6+/signature-1: status ${status} `,
            ),
          ),
        });
      } finally {
        await server.close();
      }
    },
  );
});
