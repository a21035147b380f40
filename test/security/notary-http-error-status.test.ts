import { describe, expect, it } from 'vitest';
import {
  NotaryInvalidOperationError,
  NotaryServerUnavailableError,
} from '../../src/notary/http-errors.js';
import { FAKE_GUN, withFakeNotaryStore } from '../helpers/notary.js';

// Only 404 means "no such metadata" (SPEC §7.5). A 5xx, 401/403 or any
// other status must be an error, never read as "repository has no trust data".
describe('when the notary server answers an error status', () => {
  for (const status of [500, 503, 401, 403, 302, 204]) {
    it(`reports HTTP ${status} as server unavailable, not as missing metadata`, async () => {
      await withFakeNotaryStore(
        (_req, res) => {
          res.writeHead(status, { location: 'http://127.0.0.1:1/elsewhere' });
          res.end();
        },
        async (store, server) => {
          const err = await store
            .get(FAKE_GUN, { role: 'targets/releases', maxBytes: 1024 })
            .catch((e: unknown) => e);
          expect(err).toBeInstanceOf(NotaryServerUnavailableError);
          const message = (err as Error).message;
          expect(message).toContain(server.url);
          expect(message).toContain(FAKE_GUN);
          expect(message).toContain('targets/releases.json');
          expect(message).not.toContain('\n');
        },
      );
    });
  }

  it('keeps the server error code of a 500 UPDATING', async () => {
    await withFakeNotaryStore(
      (_req, res) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(
          '{"errors":[{"code":"UPDATING","message":"An error has occurred\\nwhile updating the TUF repository."}]}',
        );
      },
      async (store) => {
        const err = await store
          .publish(FAKE_GUN, [{ role: 'targets', bytes: Buffer.from('{}') }])
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(NotaryServerUnavailableError);
        expect(err).toMatchObject({ status: 500, serverCode: 'UPDATING' });
        expect((err as Error).message).toMatch(
          /publishing targets for example\.com\/hostile\/repo: server unavailable \(HTTP 500: UPDATING: An error has occurred while updating/,
        );
      },
    );
  });

  it('reports a 400 with its distribution error code and detail', async () => {
    await withFakeNotaryStore(
      (_req, res) => {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(
          '{"errors":[{"code":"INVALID_UPDATE","message":"Update sent by the client is invalid.","detail":"targets version must increase"}]}',
        );
      },
      async (store) => {
        const err = await store
          .get(FAKE_GUN, { role: 'timestamp', maxBytes: 1024 })
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(NotaryInvalidOperationError);
        expect(err).toMatchObject({
          serverCode: 'INVALID_UPDATE',
          detail: 'targets version must increase',
        });
      },
    );
  });

  it('reports a server that is not listening as unavailable', async () => {
    const { NotaryHTTPStore } = await import('../../src/notary/http-store.js');
    const url = await withFakeNotaryStore(
      () => undefined,
      (_store, server) => Promise.resolve(server.url),
    );
    const store = new NotaryHTTPStore({
      serverURL: url,
      insecureAllowHTTP: true,
      sys: {},
    });
    try {
      await expect(
        store.get(FAKE_GUN, { role: 'root', maxBytes: 1024 }),
      ).rejects.toBeInstanceOf(NotaryServerUnavailableError);
    } finally {
      await store.close();
    }
  });
});
