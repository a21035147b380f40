import {
  createServer,
  request,
  type IncomingHttpHeaders,
  type IncomingMessage,
} from 'node:http';
import type { Socket } from 'node:net';
import { listenOnLoopback } from '../servers/loopback.js';

/**
 * A reverse proxy in front of a real registry that injects faults by plan.
 * Faults are decided per request from an ordered rule list, never by time:
 * the same rules and requests give the same answers.
 */
export type Fault =
  /** Answer with this status (and body/headers) without forwarding. */
  | { status: number; body?: string; headers?: Record<string, string> }
  /** Reset the client connection before any response byte. */
  | { reset: 'before-response' }
  /** Forward the headers and `afterBytes` body bytes, then close the connection. */
  | { reset: 'mid-body'; afterBytes: number }
  /** Forward the upstream headers (its Content-Length) but only `truncate` bytes, then end. */
  | { truncate: number }
  /** Flip the bits of the upstream body byte at this offset (same length). */
  | { corrupt: number };

export interface FaultRule {
  /** Upper-case HTTP method; any when absent. */
  method?: string;
  /** Tested against the request path without its query. */
  path: RegExp;
  /** How many matching requests get the fault (default 1; Infinity allowed). */
  times?: number;
  fault: Fault;
}

export interface RecordedRequest {
  method: string;
  /** Path without the query. */
  path: string;
  /** Status sent to the client, or 'reset' / 'truncated' / 'mid-body'. */
  status: number | 'reset' | 'truncated' | 'mid-body';
  /** Whether a fault rule answered (or altered) this request. */
  faulted: boolean;
}

export interface FaultProxy {
  /** `127.0.0.1:PORT`, the domain of docker references. */
  host: string;
  url: string;
  /** Every request seen, in arrival order (recorded when answered). */
  requests: RecordedRequest[];
  /** Replace the plan (counters start again). */
  setRules(rules: FaultRule[]): void;
  stop(): Promise<void>;
}

interface ActiveRule {
  rule: FaultRule;
  left: number;
}

export async function startFaultProxy(
  upstreamUrl: string,
  rules: FaultRule[] = [],
): Promise<FaultProxy> {
  const upstream = new URL(upstreamUrl);
  const requests: RecordedRequest[] = [];
  let plan: ActiveRule[] = [];
  const setRules = (next: FaultRule[]): void => {
    plan = next.map((rule) => ({ rule, left: rule.times ?? 1 }));
  };
  setRules(rules);

  const take = (method: string, path: string): Fault | undefined => {
    const hit = plan.find(
      (a) =>
        a.left > 0 &&
        (a.rule.method === undefined || a.rule.method === method) &&
        a.rule.path.test(path),
    );
    if (!hit) return undefined;
    hit.left--;
    return hit.rule.fault;
  };

  const server = createServer((req, res) => {
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const fault = take(method, path);
    const record = (
      status: RecordedRequest['status'],
      faulted = fault !== undefined,
    ): void => {
      requests.push({ method, path, status, faulted });
    };
    if (fault && 'status' in fault) {
      // Read the request body first so the client is not reset mid-upload.
      req.resume();
      req.on('end', () => {
        record(fault.status);
        res.writeHead(fault.status, fault.headers ?? {});
        res.end(fault.body ?? '');
      });
      return;
    }
    if (fault && 'reset' in fault && fault.reset === 'before-response') {
      record('reset');
      req.socket.resetAndDestroy();
      return;
    }
    forward(req, upstream, (status, headers, body) => {
      if (status === undefined) {
        record(502);
        res.writeHead(502).end('fault proxy: upstream failed');
        return;
      }
      const noBody = method === 'HEAD' || body.length === 0;
      if (!fault || noBody) {
        // A body fault on an empty body changes nothing (but is used up).
        record(status, false);
        res.writeHead(status, headers).end(method === 'HEAD' ? '' : body);
        return;
      }
      res.writeHead(status, headers);
      const socket = res.socket as Socket;
      if ('corrupt' in fault) {
        const bad = Buffer.from(body);
        const at = Math.min(fault.corrupt, bad.length - 1);
        bad[at] = (bad[at] ?? 0) ^ 0xff;
        record(status);
        res.end(bad);
      } else if ('truncate' in fault) {
        record('truncated');
        // Flushed bytes, then FIN: the client sees fewer bytes than declared.
        res.write(body.subarray(0, fault.truncate), () => socket.end());
      } else if ('afterBytes' in fault) {
        record('mid-body');
        res.write(body.subarray(0, fault.afterBytes), () => socket.destroy());
      }
    });
  });

  const { host, url, stop } = await listenOnLoopback(server);
  return { host, url, requests, setRules, stop };
}

/**
 * Send `req` upstream (Host passed through, so upload Locations name the
 * proxy) and hand back the whole answer; `status` is undefined on failure.
 */
function forward(
  req: IncomingMessage,
  upstream: URL,
  done: (
    status: number | undefined,
    headers: IncomingHttpHeaders,
    body: Buffer,
  ) => void,
): void {
  let answered = false;
  const once: typeof done = (...args) => {
    if (answered) return;
    answered = true;
    done(...args);
  };
  const up = request(
    {
      host: upstream.hostname,
      port: upstream.port,
      method: req.method,
      path: req.url,
      headers: req.headers,
      agent: false,
    },
    (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (c: Buffer) => chunks.push(c));
      answer.on('end', () => {
        const body = Buffer.concat(chunks);
        // Hop-by-hop headers stay here: the client keeps its own connection.
        const headers = { ...answer.headers };
        delete headers.connection;
        delete headers['keep-alive'];
        if (headers['transfer-encoding'] !== undefined) {
          delete headers['transfer-encoding'];
          headers['content-length'] = String(body.length);
        }
        once(answer.statusCode, headers, body);
      });
      answer.on('error', () => once(undefined, {}, Buffer.alloc(0)));
    },
  );
  up.on('error', () => once(undefined, {}, Buffer.alloc(0)));
  req.pipe(up);
}
