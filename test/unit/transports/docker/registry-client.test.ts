import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Agent } from 'undici';
import {
  getRegistryClient,
  RegistryClient,
} from '../../../../src/transports/docker/registry-client.js';
import { isLoopbackRegistry } from '../../../../src/transports/docker/tls.js';
import { retryDelayMs } from '../../../../src/transports/docker/retry.js';
import type { SystemContext } from '../../../../src/system-context.js';
import { tempDir } from '../../../helpers/paths.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

describe('RegistryClient against a scripted registry', () => {
  const dispatcher = new Agent({ keepAliveTimeout: 10 });
  let server: Server;
  let host: string;
  let handler: Handler;
  let seen: { method: string; url: string; authorization?: string }[];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        ...(req.headers.authorization
          ? { authorization: req.headers.authorization }
          : {}),
      });
      req.resume();
      handler(req, res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  beforeEach(() => {
    seen = [];
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await dispatcher.close();
  });

  const client = (
    extra: Partial<ConstructorParameters<typeof RegistryClient>[0]> = {},
  ): RegistryClient =>
    new RegistryClient({
      registry: host,
      sys: { dispatcher },
      retryTimes: 2,
      ...extra,
    });
  const get = (c: RegistryClient, path = '/v2/ns/a/tags/list') =>
    c.request({ method: 'GET', path, repository: 'ns/a', actions: ['pull'] });

  for (const [value, expected] of [
    ['1', true],
    ['true', false],
    ['yes', false],
    ['0', false],
    [undefined, false],
  ] as const) {
    it(`detects the signature extension only for the header value "1" (got ${String(value)})`, async () => {
      handler = (_req, res) => {
        res
          .writeHead(
            401,
            value === undefined
              ? {}
              : { 'x-registry-supports-signatures': value },
          )
          .end();
      };
      expect(await client().ping()).toEqual({
        scheme: 'http',
        supportsSignatures: expected,
      });
    });
  }

  it('fails the ping on a status other than 200 or 401', async () => {
    handler = (_req, res) => res.writeHead(404).end();
    await expect(client().ping()).rejects.toMatchObject({
      code: 'INCONCLUSIVE',
      message: expect.stringMatching(/HTTP 404/),
    });
  });

  it('retries 429 and 5xx honouring Retry-After, then succeeds', async () => {
    let n = 0;
    handler = (req, res) => {
      if (req.url === '/v2/') return void res.writeHead(200).end();
      n++;
      if (n === 1) return void res.writeHead(429, { 'retry-after': '0' }).end();
      if (n === 2) return void res.writeHead(503, { 'retry-after': '0' }).end();
      res.writeHead(200).end('ok');
    };
    const res = await get(client());
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('ok');
    expect(seen.filter((s) => s.url !== '/v2/')).toHaveLength(3);
  });

  it('stops after retryTimes and returns the last answer', async () => {
    handler = (req, res) => {
      if (req.url === '/v2/') return void res.writeHead(200).end();
      res.writeHead(500, { 'retry-after': '0' }).end('boom');
    };
    const res = await get(client({ retryTimes: 1 }));
    expect(res.status).toBe(500);
    expect(seen.filter((s) => s.url !== '/v2/')).toHaveLength(2);
  });

  it('does not replay a streamed body', async () => {
    handler = (req, res) => {
      if (req.url === '/v2/') return void res.writeHead(200).end();
      res.writeHead(503, { 'retry-after': '0' }).end();
    };
    const res = await client().request({
      method: 'PUT',
      path: '/v2/ns/a/blobs/uploads/x',
      repository: 'ns/a',
      actions: ['pull', 'push'],
      body: Readable.from([Buffer.from('data')]),
    });
    expect(res.status).toBe(503);
    expect(seen.filter((s) => s.method === 'PUT')).toHaveLength(1);
  });

  it('retries after a connection reset', async () => {
    let n = 0;
    handler = (req, res) => {
      if (req.url === '/v2/') return void res.writeHead(200).end();
      if (++n === 1) return void req.socket.destroy();
      res.writeHead(200).end('second time');
    };
    const res = await get(client());
    expect(res.body.toString()).toBe('second time');
  });

  it('refuses a body over maxBodyBytes', async () => {
    handler = (req, res) => {
      if (req.url === '/v2/') return void res.writeHead(200).end();
      res.writeHead(200).end(Buffer.alloc(2048));
    };
    await expect(
      client().request({
        method: 'GET',
        path: '/v2/ns/a/x',
        repository: 'ns/a',
        actions: ['pull'],
        maxBodyBytes: 1024,
      }),
    ).rejects.toThrow(/larger than 1024 bytes/);
  });

  it('gets bearer tokens with the right scopes and caches them per scope', async () => {
    const tokenRequests: URLSearchParams[] = [];
    handler = (req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/token') {
        tokenRequests.push(url.searchParams);
        const scope = url.searchParams.getAll('scope').join(' ');
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end(
          JSON.stringify({ access_token: `tok:${scope}`, expires_in: 300 }),
        );
      }
      if (!req.headers.authorization?.startsWith('Bearer ')) {
        res.writeHead(401, {
          'www-authenticate': `Bearer realm="http://${host}/token",service="svc"`,
        });
        return void res.end();
      }
      res.writeHead(200).end(req.headers.authorization);
    };
    const c = client({ credentials: { username: 'u', password: 'p' } });
    expect((await get(c)).body.toString()).toBe(
      'Bearer tok:repository:ns/a:pull',
    );
    expect((await get(c)).body.toString()).toBe(
      'Bearer tok:repository:ns/a:pull',
    );
    const push = await c.request({
      method: 'GET',
      path: '/v2/ns/b/x',
      repository: 'ns/b',
      actions: ['pull', 'push'],
      additionalScopes: [{ repository: 'ns/a', actions: ['pull'] }],
    });
    expect(push.body.toString()).toBe(
      'Bearer tok:repository:ns/b:pull,push repository:ns/a:pull',
    );
    expect(tokenRequests).toHaveLength(2);
    expect(tokenRequests[0]!.get('service')).toBe('svc');
    const tokenAuth = seen.find((s) =>
      s.url.startsWith('/token'),
    )?.authorization;
    expect(tokenAuth).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
  });

  it('trades an identity token for an access token with the OAuth2 POST form', async () => {
    const forms: URLSearchParams[] = [];
    handler = (req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/oauth') {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          forms.push(new URLSearchParams(Buffer.concat(chunks).toString()));
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({ access_token: 'from-refresh', expires_in: 300 }),
          );
        });
        return;
      }
      if (req.headers.authorization !== 'Bearer from-refresh') {
        res.writeHead(401, {
          'www-authenticate': `Bearer realm="http://${host}/oauth",service="svc"`,
        });
        return void res.end();
      }
      res.writeHead(200).end('in');
    };
    const c = client({
      credentials: { username: '<token>', password: 'refresh-123' },
    });
    expect((await get(c)).body.toString()).toBe('in');
    expect(forms).toHaveLength(1);
    expect(Object.fromEntries(forms[0]!)).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'refresh-123',
      client_id: 'imgsign',
      service: 'svc',
      scope: 'repository:ns/a:pull',
    });
    expect(
      seen.find((s) => s.url.startsWith('/oauth'))?.authorization,
    ).toBeUndefined();
  });

  it('uses repository-scoped auth file entries before the registry-wide one', async () => {
    const dir = await tempDir();
    const authFile = join(dir, 'auth.json');
    const b64 = (v: string): string => Buffer.from(v).toString('base64');
    await writeFile(
      authFile,
      JSON.stringify({
        auths: {
          [host]: { auth: b64('all:a') },
          [`${host}/team`]: { auth: b64('team:t') },
        },
      }),
    );
    handler = (req, res) => {
      if (!req.headers.authorization) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="r"' });
        return void res.end();
      }
      res
        .writeHead(200)
        .end(
          Buffer.from(req.headers.authorization.slice(6), 'base64').toString(),
        );
    };
    const c = new RegistryClient({
      registry: host,
      sys: { dispatcher, authFilePath: authFile },
      retryTimes: 0,
    });
    const as = async (repository: string): Promise<string> =>
      (
        await c.request({
          method: 'GET',
          path: `/v2/${repository}/tags/list`,
          repository,
          actions: ['pull'],
        })
      ).body.toString();
    expect(await as('team/app')).toBe('team:t');
    expect(await as('other/app')).toBe('all:a');
  });

  it('retries a token server that is briefly unavailable', async () => {
    let tokenCalls = 0;
    handler = (req, res) => {
      if (req.url?.startsWith('/token')) {
        if (++tokenCalls === 1) return void res.writeHead(503).end();
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end('{"token":"t2"}');
      }
      if (req.headers.authorization !== 'Bearer t2') {
        res.writeHead(401, {
          'www-authenticate': `Bearer realm="http://${host}/token"`,
        });
        return void res.end();
      }
      res.writeHead(200).end('ok');
    };
    expect((await get(client())).body.toString()).toBe('ok');
    expect(tokenCalls).toBe(2);
  });

  it('shares one client per SystemContext and options', () => {
    const sys: SystemContext = { dispatcher };
    const a = getRegistryClient({ registry: host, sys });
    expect(getRegistryClient({ registry: host, sys })).toBe(a);
    expect(
      getRegistryClient({ registry: host, sys, tlsVerify: false }),
    ).not.toBe(a);
    expect(getRegistryClient({ registry: host, sys: { dispatcher } })).not.toBe(
      a,
    );
  });
});

describe('registry client helpers', () => {
  it('allows plain http only for loopback hosts', () => {
    for (const h of [
      'localhost',
      'localhost:5000',
      '127.0.0.1:5000',
      '127.1.2.3',
      '[::1]:5000',
    ]) {
      expect(isLoopbackRegistry(h)).toBe(true);
    }
    for (const h of [
      'quay.io',
      'localhost.example.com',
      '10.0.0.1:5000',
      '128.0.0.1',
    ]) {
      expect(isLoopbackRegistry(h)).toBe(false);
    }
  });

  it('computes backoff from Retry-After or exponentially, capped', () => {
    expect(retryDelayMs(0, '2')).toBe(2000);
    expect(retryDelayMs(0, '100000')).toBe(10_000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryDelayMs(0, 'Thu, 01 Jan 2026 00:00:03 GMT', () => now)).toBe(
      3000,
    );
    expect(retryDelayMs(0, undefined)).toBe(100);
    expect(retryDelayMs(3, undefined)).toBe(800);
    expect(retryDelayMs(20, undefined)).toBe(10_000);
  });
});

describe('docker.io', () => {
  it('talks to registry-1.docker.io for the docker.io domain', async () => {
    const { MockAgent } = await import('undici');
    const mock = new MockAgent();
    mock.disableNetConnect();
    const pool = mock.get('https://registry-1.docker.io');
    pool.intercept({ path: '/v2/', method: 'GET' }).reply(200, '{}');
    pool
      .intercept({ path: '/v2/library/busybox/tags/list', method: 'GET' })
      .reply(200, '{"name":"library/busybox","tags":["latest"]}');
    const c = new RegistryClient({
      registry: 'docker.io',
      sys: { dispatcher: mock },
      retryTimes: 0,
    });
    const res = await c.request({
      method: 'GET',
      path: '/v2/library/busybox/tags/list',
      repository: 'library/busybox',
      actions: ['pull'],
    });
    expect(JSON.parse(res.body.toString()).tags).toEqual(['latest']);
    await mock.close();
  });
});
