import { describe, expect, it } from 'vitest';
import { REF, withLookasideServer } from './hostile-lookaside.js';

describe('when the lookaside server has a signature at every index', () => {
  it('stops after 128 with an error instead of reading forever', async () => {
    await withLookasideServer(
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end('sig');
      },
      async (store, server) => {
        await expect(
          store.read(REF, `sha256:${'5'.repeat(64)}`),
        ).rejects.toMatchObject({
          code: 'INCONCLUSIVE',
          message: expect.stringContaining('holds more than 128 signatures'),
        });
        expect(server.requests).toHaveLength(129);
      },
    );
  });
});
