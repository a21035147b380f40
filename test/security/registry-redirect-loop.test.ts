import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from 'undici';
import { dockerTransport } from '../../src/transports/docker/docker-transport.js';

const DIGEST = `sha256:${'b'.repeat(64)}`;

/** Redirect loops and redirects to non-HTTP URLs end with an error, not a hang or a file read. */
describe('when a registry redirects a blob endlessly or to a non-HTTP URL', () => {
  const dispatcher = new Agent({ keepAliveTimeout: 10 });
  let server: Server;
  let host: string;
  let hops = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const url = req.url ?? '';
      if (url === '/v2/') return void res.writeHead(200).end();
      if (url.includes('/loop/')) {
        hops++;
        return void res
          .writeHead(302, { location: `/v2/loop/blobs/${DIGEST}?n=${hops}` })
          .end();
      }
      res.writeHead(302, { location: 'file:///etc/passwd' }).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await dispatcher.close();
  });

  const blob = async (repo: string) =>
    (
      await dockerTransport
        .parseReference(`//${host}/${repo}:v1`)
        .newImageSource({ dispatcher })
    ).getBlob({
      digest: DIGEST,
      size: -1,
    });

  it('gives up after a bounded number of redirects', async () => {
    await expect(blob('loop/app')).rejects.toThrow(/more than 10 redirects/);
    expect(hops).toBe(11);
  });

  it('refuses to follow a redirect to file://', async () => {
    await expect(blob('file/app')).rejects.toThrow(
      /unsupported URL scheme file:/,
    );
  });
});
