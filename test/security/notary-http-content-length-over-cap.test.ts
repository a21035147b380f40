import { describe, expect, it } from 'vitest';
import { NotaryResponseTooLargeError } from '../../src/notary/http-errors.js';
import { FAKE_GUN, withFakeNotaryStore } from '../helpers/notary.js';

// A declared Content-Length above the cap is refused from the headers: the
// fake server never finishes the body, so a client that started reading it
// would wait forever instead of failing.
describe('when the notary server declares a Content-Length above maxBytes', () => {
  it('refuses the answer before reading the body', async () => {
    await withFakeNotaryStore(
      (_req, res) => {
        res.writeHead(200, { 'content-length': String(50 * 1024 * 1024) });
        res.write('{"signed":');
        // …and nothing more: the connection stays open.
      },
      async (store) => {
        const err = await store
          .get(FAKE_GUN, {
            role: 'targets',
            checksum: 'a'.repeat(64),
            maxBytes: 4096,
          })
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(NotaryResponseTooLargeError);
        expect((err as Error).message).toContain(
          `targets.${'a'.repeat(64)}.json of ${FAKE_GUN}`,
        );
      },
    );
  });
});
