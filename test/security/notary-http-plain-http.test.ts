import { describe, expect, it } from 'vitest';
import { NotaryHTTPStore } from '../../src/notary/http-store.js';
import { NotaryServerUnavailableError } from '../../src/notary/http-errors.js';
import { FAKE_GUN, withFakeNotaryStore } from '../helpers/notary.js';

// DOCKER_CONTENT_TRUST_SERVER must be https (SPEC §7.5, §8): trust data
// over plain http is never fetched unless a test asks for it explicitly.
describe('when the notary server is plain http', () => {
  it('refuses an http:// server URL', () => {
    for (const serverURL of [
      'http://notary.example.com',
      'ftp://x',
      'notary.example.com',
    ]) {
      expect(
        () => new NotaryHTTPStore({ serverURL, sys: {} }),
        serverURL,
      ).toThrow(expect.objectContaining({ code: 'USAGE' }) as Error);
    }
  });

  it('refuses URLs with a path, query or credentials', () => {
    for (const serverURL of [
      'https://notary.example.com/v2',
      'https://notary.example.com/?x=1',
      'https://user:pw@notary.example.com',
    ]) {
      expect(
        () => new NotaryHTTPStore({ serverURL, sys: {} }),
        serverURL,
      ).toThrow(/must be only https:\/\/host\[:port\]/);
    }
  });

  it('does not fall back to http when an https URL names a loopback plain-http server', async () => {
    await withFakeNotaryStore(
      (_req, res) => {
        res.writeHead(200);
        res.end('{"signed":{}}');
      },
      async (_insecure, server) => {
        const store = new NotaryHTTPStore({
          serverURL: server.url.replace('http:', 'https:'),
          sys: {},
        });
        try {
          const err = await store
            .get(FAKE_GUN, { role: 'timestamp', maxBytes: 1024 })
            .catch((e: unknown) => e);
          expect(err).toBeInstanceOf(NotaryServerUnavailableError);
          expect((err as Error).message).toMatch(/plain http/);
          expect(
            server.requests.filter((r) => r.path.includes('_trust')),
          ).toEqual([]);
        } finally {
          await store.close();
        }
      },
    );
  });
});
