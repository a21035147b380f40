import { describe, expect, it } from 'vitest';
import { NotaryHTTPStore } from '../../src/notary/http-store.js';
import { NotaryServerUnavailableError } from '../../src/notary/http-errors.js';
import { FAKE_GUN, startFakeNotaryServer } from '../helpers/notary.js';

// A server that accepts the request and then never answers (or stops
// mid-body) must not hang the client: `timeoutMs` bounds each wait.
describe('when the notary server stalls', () => {
  for (const stall of ['headers', 'body'] as const) {
    it(`gives up waiting for the ${stall} with a server-unavailable error`, async () => {
      const server = await startFakeNotaryServer((_req, res) => {
        if (stall === 'body') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.write('{"signed":');
        }
        // Nothing more is ever sent.
      });
      const store = new NotaryHTTPStore({
        serverURL: server.url,
        insecureAllowHTTP: true,
        timeoutMs: 200,
        sys: {},
      });
      try {
        const err = await store
          .get(FAKE_GUN, { role: 'timestamp', maxBytes: 1024 })
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(NotaryServerUnavailableError);
        expect((err as Error).message).toContain(
          `reading timestamp.json of ${FAKE_GUN}`,
        );
        expect((err as Error).message).toMatch(/timeout/i);
      } finally {
        await store.close();
        await server.stop();
      }
    });
  }

  it('refuses a timeout that is not a positive integer', async () => {
    const store = new NotaryHTTPStore({
      serverURL: 'https://notary.example.com',
      timeoutMs: -1,
      sys: {},
    });
    await expect(
      store.get(FAKE_GUN, { role: 'root', maxBytes: 10 }),
    ).rejects.toMatchObject({ code: 'USAGE' });
  });
});
