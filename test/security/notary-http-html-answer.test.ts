import { describe, expect, it } from 'vitest';
import { NotaryMalformedResponseError } from '../../src/notary/http-errors.js';
import { FAKE_GUN, withFakeNotaryStore } from '../helpers/notary.js';

// A captive portal or misrouted proxy answering 200 with a web page: not
// metadata and not "missing" either.
describe('when the notary server answers 200 with an HTML page', () => {
  const html = '<!doctype html><html><body>Please log in</body></html>';
  const serveHTML = (
    _req: unknown,
    res: import('node:http').ServerResponse,
  ): void => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(html);
  };

  it('refuses it as metadata', async () => {
    await withFakeNotaryStore(serveHTML, async (store, server) => {
      const err = await store
        .get(FAKE_GUN, { role: 'root', maxBytes: 1024 * 1024 })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotaryMalformedResponseError);
      expect((err as Error).message).toMatch(
        new RegExp(
          `${server.url}: reading root\\.json of ${FAKE_GUN}: .*not JSON`,
        ),
      );
    });
  });

  it('refuses it as a server key', async () => {
    await withFakeNotaryStore(serveHTML, async (store) => {
      await expect(
        store.getServerKey(FAKE_GUN, 'timestamp'),
      ).rejects.toBeInstanceOf(NotaryMalformedResponseError);
    });
  });

  it('refuses JSON that is not a key as a server key', async () => {
    await withFakeNotaryStore(
      (_req, res) => {
        res.writeHead(200);
        res.end(
          '{"keytype":"ecdsa","keyval":{"public":"AAAA","private":"c2VjcmV0"}}',
        );
      },
      async (store) => {
        await expect(store.getServerKey(FAKE_GUN, 'snapshot')).rejects.toThrow(
          /getting the snapshot key of example\.com\/hostile\/repo: .*not a public key/,
        );
      },
    );
  });
});
