import { describe, expect, it } from 'vitest';
import { REF, withLookasideServer } from './hostile-lookaside.js';

const limit = 4 * 1024 * 1024;

describe('when the lookaside server sends more than 4 MiB', () => {
  it.each([
    ['with a Content-Length', true],
    ['chunked, without a Content-Length', false],
  ])('rejects the signature %s', async (_name, declared) => {
    await withLookasideServer(
      (_req, res) => {
        const chunk = Buffer.alloc(1024 * 1024, 1);
        res.writeHead(200, {
          'content-type': 'application/octet-stream',
          ...(declared ? { 'content-length': 5 * chunk.length } : {}),
        });
        for (let i = 0; i < 5; i++) res.write(chunk);
        res.end();
      },
      async (store) => {
        await expect(
          store.read(REF, `sha256:${'4'.repeat(64)}`),
        ).rejects.toMatchObject({
          message: expect.stringContaining(`is larger than ${limit} bytes`),
        });
      },
    );
  });
});
