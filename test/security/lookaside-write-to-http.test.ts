import { describe, expect, it } from 'vitest';
import { startHttpServer } from '../servers/static-http.js';
import { REF, lookasideStore } from './hostile-lookaside.js';

describe('when the write location is an http(s) lookaside', () => {
  it('refuses to write and sends nothing to the server', async () => {
    const server = await startHttpServer((_req, res) => {
      res.writeHead(201).end();
    });
    try {
      const { store } = await lookasideStore(`${server.url}/sigs`, 'q.io');
      await expect(
        store.add(REF, `sha256:${'2'.repeat(64)}`, [Buffer.from('x')]),
      ).rejects.toMatchObject({
        code: 'UNSUPPORTED',
        message: expect.stringContaining(
          `only file: lookasides can be written. Configure a lookaside-staging`,
        ),
      });
      expect(server.requests).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
