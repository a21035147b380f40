import { createServer, get, type Server } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describe } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';

const BODY = Buffer.from('0123456789'.repeat(100));

interface Got {
  status?: number;
  headers?: Record<string, unknown>;
  body: Buffer;
  error?: string;
}

/** GET `url` once on a fresh connection; a failed exchange is reported, not thrown. */
function fetchOnce(url: string): Promise<Got> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const req = get(url, { agent: false }, (res) => {
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks),
          ...(res.complete ? {} : { error: 'incomplete' }),
        }),
      );
      res.on('error', (e) =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks),
          error: e.message,
        }),
      );
    });
    req.on('error', (e: NodeJS.ErrnoException) =>
      resolve({ body: Buffer.concat(chunks), error: e.code ?? e.message }),
    );
  });
}

describe('the fault proxy', () => {
  let upstream: Server;
  let proxy: FaultProxy;
  beforeAll(async () => {
    upstream = createServer((_req, res) => {
      res.writeHead(200, { 'content-length': String(BODY.length) });
      res.end(BODY);
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const addr = upstream.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    proxy = await startFaultProxy(`http://127.0.0.1:${port}`);
  });
  afterAll(async () => {
    await proxy.stop();
    upstream.closeAllConnections();
    await new Promise((r) => upstream.close(r));
  });

  it('forwards when no rule matches and records each request', async () => {
    proxy.setRules([{ method: 'PUT', path: /^\/a$/, fault: { status: 500 } }]);
    proxy.requests.length = 0;
    const got = await fetchOnce(`${proxy.url}/a?x=1`);
    expect(got.status).toBe(200);
    expect(got.body.equals(BODY)).toBe(true);
    expect(proxy.requests).toEqual([
      { method: 'GET', path: '/a', status: 200, faulted: false },
    ]);
  });

  it('answers a status fault the given number of times, then forwards', async () => {
    proxy.setRules([
      { path: /^\/s$/, times: 2, fault: { status: 503, body: 'busy' } },
    ]);
    const got = [];
    for (let i = 0; i < 3; i++) got.push(await fetchOnce(`${proxy.url}/s`));
    expect(got.map((g) => g.status)).toEqual([503, 503, 200]);
    expect(got[0]?.body.toString()).toBe('busy');
  });

  it('resets before the response', async () => {
    proxy.setRules([{ path: /^\/r$/, fault: { reset: 'before-response' } }]);
    const got = await fetchOnce(`${proxy.url}/r`);
    expect(got.status).toBeUndefined();
    expect(got.error).toBe('ECONNRESET');
  });

  it('cuts the body after some bytes (mid-body) or ends it short (truncate)', async () => {
    proxy.setRules([
      { path: /^\/m$/, fault: { reset: 'mid-body', afterBytes: 300 } },
      { path: /^\/t$/, fault: { truncate: 200 } },
    ]);
    for (const [path, n] of [
      ['/m', 300],
      ['/t', 200],
    ] as const) {
      const got = await fetchOnce(`${proxy.url}${path}`);
      expect(got.status).toBe(200);
      expect(got.headers?.['content-length']).toBe(String(BODY.length));
      expect(got.error).toBeDefined();
      expect(got.body.equals(BODY.subarray(0, n))).toBe(true);
    }
  });

  it('flips one byte at the offset and keeps the length', async () => {
    proxy.setRules([{ path: /^\/c$/, times: Infinity, fault: { corrupt: 7 } }]);
    const got = await fetchOnce(`${proxy.url}/c`);
    expect(got.body.length).toBe(BODY.length);
    const diff = [...got.body].flatMap((b, i) => (b !== BODY[i] ? [i] : []));
    expect(diff).toEqual([7]);
    expect((await fetchOnce(`${proxy.url}/c`)).body.equals(got.body)).toBe(
      true,
    );
  });
});
