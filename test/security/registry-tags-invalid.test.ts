import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from 'undici';
import { parseNormalizedNamed } from '../../src/reference/docker-reference.js';
import { listTags } from '../../src/transports/docker/tags.js';

/** Malformed tag lists are errors; a `Link` to another origin is not followed. */
describe('when a registry sends a malformed tag list or an off-site next page', () => {
  const dispatcher = new Agent({ keepAliveTimeout: 10 });
  let server: Server;
  let host: string;
  const paths: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const url = req.url ?? '';
      paths.push(url);
      if (url === '/v2/') return void res.writeHead(200).end();
      res.writeHead(200, {
        'content-type': 'application/json',
        ...(url.includes('/offsite/')
          ? { link: '<http://127.0.0.1:1/v2/x/tags/list?last=a>; rel="next"' }
          : {}),
      });
      if (url.includes('/numbers/')) return void res.end('{"tags":[1,2]}');
      if (url.includes('/html/')) return void res.end('<html>');
      res.end('{"name":"x","tags":["a"]}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await dispatcher.close();
  });

  const tags = (repo: string) =>
    listTags(parseNormalizedNamed(`${host}/${repo}`), { dispatcher });

  it('rejects tags that are not strings', async () => {
    await expect(tags('numbers/app')).rejects.toThrow(/not a list of strings/);
  });

  it('rejects a body that is not JSON', async () => {
    await expect(tags('html/app')).rejects.toThrow(/invalid JSON/);
  });

  it('does not follow a next page on another host', async () => {
    expect(await tags('offsite/app')).toEqual(['a']);
    expect(paths.filter((p) => p.includes('/offsite/'))).toHaveLength(1);
  });
});
