import { describe, expect, it } from 'vitest';
import { REF, withLookasideServer } from './hostile-lookaside.js';

describe('when the lookaside server fails instead of answering 404', () => {
  it.each([403, 500, 503, 401, 204])(
    'status %i is an error, never "no signatures"',
    async (status) => {
      await withLookasideServer(
        (_req, res) => {
          res.writeHead(status).end();
        },
        async (store, server) => {
          await expect(
            store.read(REF, `sha256:${'6'.repeat(64)}`),
          ).rejects.toMatchObject({
            code: 'REGISTRY_HTTP',
            message: expect.stringMatching(
              new RegExp(
                `^reading signature-1 for q\\.io/a@sha256:6+: GET ${server.url}/a@sha256=6+/signature-1: status ${status} `,
              ),
            ),
          });
        },
      );
    },
  );
});
