import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import {
  type IncomingMessage,
  type Server,
  type ServerResponse,
  createServer,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative, resolve, sep } from 'node:path';

export interface RunningHttpServer {
  /** `http://127.0.0.1:PORT` (no trailing slash). */
  url: string;
  server: Server;
  /** Paths of every request received, in order. */
  requests: string[];
  close(): Promise<void>;
}

/** A node:http server on a free loopback port; `handler` answers every request. */
export async function startHttpServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>,
): Promise<RunningHttpServer> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    Promise.resolve(handler(req, res)).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(err));
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    requests,
    close: () =>
      new Promise<void>((ok, fail) => {
        server.closeAllConnections();
        server.close((err) => (err ? fail(err) : ok()));
      }),
  };
}

/**
 * Serve `root` read-only over http, as a web server publishing a lookaside
 * directory would: 200 with `application/octet-stream` for files, 404 for
 * anything missing, never a file outside `root`.
 */
export function startStaticHttp(root: string): Promise<RunningHttpServer> {
  const base = resolve(root);
  return startHttpServer(async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://x');
    const path = resolve(join(base, decodeURIComponent(url.pathname)));
    const rel = relative(base, path);
    if (rel.startsWith('..') || rel.startsWith(sep)) {
      res.writeHead(404).end();
      return;
    }
    const info = await stat(path).catch(() => undefined);
    if (info === undefined || !info.isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': info.size,
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(path).pipe(res);
  });
}
