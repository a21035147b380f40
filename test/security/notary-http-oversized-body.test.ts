import { describe, expect, it } from 'vitest';
import { NotaryResponseTooLargeError } from '../../src/notary/http-errors.js';
import { FAKE_GUN, withFakeNotaryStore } from '../helpers/notary.js';

// A server streaming more metadata than the parent's FILEMETA allows
// (SPEC §7.5): the body is cut off at the cap and refused, never truncated.
describe('when the notary server streams a body longer than maxBytes', () => {
  it('refuses it as a malicious answer naming server, GUN and role', async () => {
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    await withFakeNotaryStore(
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        // Chunked, no Content-Length: only the streamed count can catch it.
        const pump = (): void => {
          while (sent < 8 * 1024 * 1024) {
            sent += chunk.length;
            if (!res.write(chunk)) {
              res.once('drain', pump);
              return;
            }
          }
          res.end();
        };
        res.on('close', () => res.destroy());
        pump();
      },
      async (store, server) => {
        const err = await store
          .get(FAKE_GUN, { role: 'snapshot', maxBytes: 1000 })
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(NotaryResponseTooLargeError);
        expect(err).toMatchObject({ code: 'TRUST' });
        const message = (err as Error).message;
        expect(message).toContain(server.url);
        expect(message).toContain(FAKE_GUN);
        expect(message).toContain('snapshot.json');
        expect(message).toContain('1000 bytes');
      },
    );
  });

  it('accepts a body of exactly maxBytes', async () => {
    const body = Buffer.from(`{"signed":{},"pad":"${'x'.repeat(80)}"}`);
    await withFakeNotaryStore(
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(body);
      },
      async (store) => {
        const got = await store.get(FAKE_GUN, {
          role: 'timestamp',
          maxBytes: body.length,
        });
        expect(Buffer.from(got!).equals(body)).toBe(true);
        await expect(
          store.get(FAKE_GUN, { role: 'timestamp', maxBytes: body.length - 1 }),
        ).rejects.toBeInstanceOf(NotaryResponseTooLargeError);
      },
    );
  });
});
