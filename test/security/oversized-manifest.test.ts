import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from 'undici';
import { dockerTransport } from '../../src/transports/docker/docker-transport.js';
import { MAX_MANIFEST_BYTES } from '../../src/manifest/media-types.js';

/** A registry serving a manifest above the 4 MiB bound: rejected, with or without Content-Length. */
describe('when a registry serves a manifest over 4 MiB', () => {
  let server: Server;
  let host: string;
  const dispatcher = new Agent({ keepAliveTimeout: 10 });
  const big = Buffer.alloc(MAX_MANIFEST_BYTES + 1, 0x20);

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/v2/') {
        res.writeHead(200).end('{}');
        return;
      }
      const chunked = req.url?.includes('chunked') ?? false;
      const body = req.url?.includes('exact') ? big.subarray(1) : big;
      res.writeHead(200, {
        'content-type': 'application/vnd.docker.distribution.manifest.v2+json',
        ...(chunked ? {} : { 'content-length': String(body.length) }),
      });
      // Stream it in pieces; a client that stops reading makes us stop too.
      let offset = 0;
      const pump = (): void => {
        while (offset < body.length) {
          const piece = body.subarray(offset, offset + 65536);
          offset += piece.length;
          if (!res.write(piece)) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      res.on('error', () => undefined);
      pump();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await dispatcher.close();
  });

  for (const repo of ['declared/len', 'chunked/len']) {
    it(`rejects it (${repo.split('/')[0]})`, async () => {
      const src = await dockerTransport
        .parseReference(`//${host}/${repo}:v1`)
        .newImageSource({ dispatcher });
      await expect(src.getManifest()).rejects.toMatchObject({
        code: 'INVALID_MANIFEST',
        message: expect.stringMatching(/larger than the 4194304-byte limit/),
      });
    });
  }

  it('accepts a manifest of exactly the limit (the bound is not off by one)', async () => {
    const src = await dockerTransport
      .parseReference(`//${host}/exact/len:v1`)
      .newImageSource({ dispatcher });
    const m = await src.getManifest();
    expect(m.bytes.length).toBe(MAX_MANIFEST_BYTES);
  });
});
