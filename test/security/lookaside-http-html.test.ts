import { describe, expect, it } from 'vitest';
import { REF, withLookasideServer } from './hostile-lookaside.js';

describe('when the lookaside server answers 200 with an HTML page', () => {
  it('is an error, not a signature', async () => {
    await withLookasideServer(
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end('<html><body>Welcome to our portal</body></html>');
      },
      async (store) => {
        await expect(
          store.read(REF, `sha256:${'3'.repeat(64)}`),
        ).rejects.toMatchObject({
          code: 'INCONCLUSIVE',
          message: expect.stringContaining(
            'the server returned an HTML page, not a signature',
          ),
        });
      },
    );
  });
});
