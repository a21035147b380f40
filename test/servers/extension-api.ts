import {
  type IncomingMessage,
  type ServerResponse,
  request as httpRequest,
} from 'node:http';
import { type RunningHttpServer, startHttpServer } from './static-http.js';

/**
 * The registry signature extension API (SPEC §5, server side as OpenShift
 * implements it) in front of a real docker-registry: /v2/ is
 * reverse-proxied unchanged, every response carries
 * `X-Registry-Supports-Signatures: 1`, and
 * GET/PUT /extensions/v2/{name}/signatures/{digest} keep signatures in
 * memory. No packaged registry implements the API, hence this server.
 */
export interface ExtensionAPIServer {
  /** `127.0.0.1:PORT`, the registry domain clients use. */
  host: string;
  url: string;
  /** Stored entries by `name@digest`. */
  signatures: Map<string, StoredSignature[]>;
  /** Every PUT body received (parsed JSON, or the raw text if not JSON), in order. */
  puts: { repository: string; digest: string; body: unknown }[];
  close(): Promise<void>;
}

export interface StoredSignature {
  schemaVersion: number;
  name: string;
  type: string;
  content: string;
}

const nameRe =
  /^[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*)*$/;
const digestRe = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const routeRe = /^\/extensions\/v2\/(.+)\/signatures\/([^/]*)$/;
const base64Re =
  /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const manifestAccept = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
].join(', ');

function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify({ errors: [{ code, message, detail: null }] }));
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.destroy();
        reject(new Error('body too large'));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startExtensionAPIServer(
  backendHost: string,
): Promise<ExtensionAPIServer> {
  const signatures = new Map<string, StoredSignature[]>();
  const puts: ExtensionAPIServer['puts'] = [];

  /** Does the backing registry hold a manifest for name@digest? */
  const imageExists = (name: string, digest: string): Promise<boolean> =>
    new Promise((resolve, reject) => {
      const r = httpRequest(
        `http://${backendHost}/v2/${name}/manifests/${digest}`,
        { method: 'HEAD', headers: { accept: manifestAccept } },
        (res) => {
          res.resume();
          resolve(res.statusCode === 200);
        },
      );
      r.on('error', reject);
      r.end();
    });

  const proxy = (req: IncomingMessage, res: ServerResponse): void => {
    const upstream = httpRequest(
      `http://${backendHost}${req.url ?? '/'}`,
      { method: req.method, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, {
          ...up.headers,
          'x-registry-supports-signatures': '1',
        });
        up.pipe(res);
      },
    );
    upstream.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(String(err));
    });
    req.pipe(upstream);
  };

  const extension = async (
    req: IncomingMessage,
    res: ServerResponse,
    name: string,
    digest: string,
  ): Promise<void> => {
    if (!nameRe.test(name)) {
      sendError(res, 400, 'NAME_INVALID', 'invalid repository name');
      return;
    }
    if (!digestRe.test(digest)) {
      sendError(
        res,
        400,
        'NAME_INVALID',
        'the image digest is missing or invalid',
      );
      return;
    }
    const key = `${name}@${digest}`;
    if (req.method === 'GET') {
      if (!(await imageExists(name, digest))) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
      });
      res.end(JSON.stringify({ signatures: signatures.get(key) ?? [] }));
      return;
    }
    if (req.method !== 'PUT') {
      sendError(res, 405, 'UNSUPPORTED', 'only GET and PUT are supported');
      return;
    }
    const raw = await readBody(req, 8 * 1024 * 1024);
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      puts.push({ repository: name, digest, body: raw.toString('utf8') });
      sendError(res, 400, 'SIGNATURE_INVALID', 'the body is not JSON');
      return;
    }
    puts.push({ repository: name, digest, body });
    const sig = (typeof body === 'object' && body !== null ? body : {}) as {
      schemaVersion?: unknown;
      name?: unknown;
      type?: unknown;
      content?: unknown;
    };
    if (sig.schemaVersion !== 2) {
      sendError(
        res,
        400,
        'SIGNATURE_INVALID',
        'only schemaVersion=2 is currently supported',
      );
      return;
    }
    const sigName = sig.name;
    if (
      typeof sigName !== 'string' ||
      !sigName.startsWith(`${digest}@`) ||
      sigName.length !== digest.length + 1 + 32 ||
      typeof sig.content !== 'string' ||
      !base64Re.test(sig.content) ||
      (sig.type !== undefined && typeof sig.type !== 'string')
    ) {
      sendError(res, 400, 'SIGNATURE_INVALID', 'invalid signature');
      return;
    }
    if (!(await imageExists(name, digest))) {
      sendError(res, 404, 'NAME_UNKNOWN', `image ${digest} not found`);
      return;
    }
    const list = signatures.get(key) ?? [];
    if (list.some((s) => s.name === sigName)) {
      sendError(
        res,
        409,
        'SIGNATURE_EXISTS',
        `signature ${sigName} already exists`,
      );
      return;
    }
    list.push({
      schemaVersion: 2,
      name: sigName,
      type:
        sig.type === undefined || sig.type === '' ? 'AtomicImageV1' : sig.type,
      content: sig.content,
    });
    signatures.set(key, list);
    res.writeHead(201).end();
  };

  const server: RunningHttpServer = await startHttpServer(async (req, res) => {
    res.setHeader('x-registry-supports-signatures', '1');
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const route = routeRe.exec(path);
    if (route) {
      await extension(req, res, route[1] ?? '', route[2] ?? '');
    } else if (path.startsWith('/extensions/')) {
      sendError(res, 404, 'NAME_UNKNOWN', 'no such route');
    } else {
      proxy(req, res);
    }
  });
  return {
    host: server.url.replace(/^http:\/\//, ''),
    url: server.url,
    signatures,
    puts,
    close: () => server.close(),
  };
}

/**
 * A hostile or broken "registry" for security tests: answers `GET /v2/`
 * with `X-Registry-Supports-Signatures: <header>` (default `1`) and sends
 * every other request, with its body, to `answer`.
 */
export function startScriptedRegistry(
  answer: (
    req: IncomingMessage,
    body: Buffer,
    res: ServerResponse,
  ) => void | Promise<void>,
  header = '1',
): Promise<RunningHttpServer> {
  return startHttpServer(async (req, res) => {
    if (req.url === '/v2/') {
      res.writeHead(200, { 'x-registry-supports-signatures': header });
      res.end('{}');
      return;
    }
    const body = await readBody(req, 8 * 1024 * 1024);
    await answer(req, body, res);
  });
}
