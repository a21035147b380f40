import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from 'undici';
import { RegistryClient } from '../../src/transports/docker/registry-client.js';

/** A token server answering more than 1 MiB (or no token at all) is refused, not buffered. */
describe('when the token server sends an oversized or tokenless answer', () => {
  const dispatcher = new Agent({ keepAliveTimeout: 10 });
  let server: Server;
  let host: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/token') {
        res.writeHead(200, { 'content-type': 'application/json' });
        if (url.searchParams.get('scope')?.includes('big/')) {
          res.on('error', () => undefined);
          return void res.end(`{"token":"${'x'.repeat(2 * 1024 * 1024)}"}`);
        }
        return void res.end('{"expires_in":60}');
      }
      const service = url.pathname.includes('/big/') ? 'big' : 'none';
      res.writeHead(401, {
        'www-authenticate': `Bearer realm="http://${host}/token",service="${service}"`,
      });
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await dispatcher.close();
  });

  const get = (repo: string) =>
    new RegistryClient({
      registry: host,
      sys: { dispatcher },
      retryTimes: 0,
    }).request({
      method: 'GET',
      path: `/v2/${repo}/tags/list`,
      repository: repo,
      actions: ['pull'],
    });

  it('refuses a token response over 1 MiB', async () => {
    await expect(get('big/app')).rejects.toThrow(/larger than 1 MiB/);
  });

  it('refuses a token response without a token', async () => {
    await expect(get('none/app')).rejects.toThrow(/has no token/);
  });
});
