import type { Readable } from 'node:stream';
import { Agent, request, type Dispatcher } from 'undici';
import { describeError, ImgsignError } from '../../errors.js';

/** DOCKER_HOST when SystemContext.dockerHost is unset (docker's client default). */
export const DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock';
/** Bound on error bodies and `POST /images/load` progress output we read. */
const MAX_RESPONSE_BYTES = 1024 * 1024;
/**
 * Like the docker CLI, no request timeouts: the engine answers a load only
 * after it has unpacked every layer, and an export starts only once the
 * engine has prepared it, both of which can take minutes for big images.
 */
const NO_TIMEOUTS = { headersTimeout: 0, bodyTimeout: 0, keepAliveTimeout: 10 };

/**
 * The two Docker Engine API calls docker-daemon: needs, over a unix socket
 * (or plain TCP, as docker does without DOCKER_TLS_VERIFY). Works against
 * dockerd and podman's compatible service (`podman system service`).
 */
export class DockerEngineClient {
  private readonly agent: Agent;
  private readonly origin: string;
  private closed = false;

  constructor(readonly host: string = DEFAULT_DOCKER_HOST) {
    if (host.startsWith('unix://')) {
      const socketPath = host.slice('unix://'.length);
      if (!socketPath.startsWith('/')) {
        throw new ImgsignError(
          'USAGE',
          `docker host ${host}: expected unix:///absolute/path`,
        );
      }
      this.agent = new Agent({ connect: { socketPath }, ...NO_TIMEOUTS });
      this.origin = 'http://docker';
    } else if (/^(tcp|http):\/\/[^/]+\/?$/.test(host)) {
      this.agent = new Agent(NO_TIMEOUTS);
      this.origin = `http://${host.replace(/^[a-z]+:\/\//, '').replace(/\/$/, '')}`;
    } else {
      throw new ImgsignError(
        'UNSUPPORTED',
        `docker host ${host}: only unix:// and tcp:// (without TLS) are supported`,
      );
    }
  }

  /** `GET /images/{name}/get`: the image as a docker save tarball, streamed. */
  async imageSave(name: string): Promise<Readable> {
    const path = `/images/${name.split('/').map(encodeURIComponent).join('/')}/get`;
    const res = await this.send('GET', path, `exporting ${name}`);
    if (res.statusCode !== 200) {
      const message = await errorMessage(res);
      throw new ImgsignError(
        res.statusCode === 404 ? 'NOT_FOUND' : 'INCONCLUSIVE',
        `docker engine at ${this.host}: exporting image ${name}: HTTP ${res.statusCode}: ${message}`,
      );
    }
    return res.body;
  }

  /**
   * `POST /images/load` with `tar` as the body. The engine answers with a
   * JSON message stream; an `error`/`errorDetail` anywhere in it is a
   * failure even though the status is 200.
   */
  async imageLoad(tar: Readable): Promise<string[]> {
    const res = await this.send(
      'POST',
      '/images/load?quiet=1',
      'loading an image',
      tar,
    );
    const text = await readBody(res.body);
    if (res.statusCode !== 200) {
      throw new ImgsignError(
        'INCONCLUSIVE',
        `docker engine at ${this.host}: loading image: HTTP ${res.statusCode}: ${messageOf(text)}`,
      );
    }
    const messages: string[] = [];
    for (const msg of parseJSONStream(text)) {
      const detail = msg['errorDetail'] as Record<string, unknown> | undefined;
      const error = detail?.['message'] ?? msg['error'];
      if (error !== undefined) {
        throw new ImgsignError(
          'INCONCLUSIVE',
          `docker engine at ${this.host} refused the image: ${typeof error === 'string' ? error : JSON.stringify(error)}`,
        );
      }
      if (typeof msg['stream'] === 'string')
        messages.push(msg['stream'].trim());
    }
    return messages;
  }

  /** Release the connection pool (safe to call more than once). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.agent.close();
  }

  private async send(
    method: 'GET' | 'POST',
    path: string,
    what: string,
    body?: Readable,
  ): Promise<Dispatcher.ResponseData> {
    try {
      return await request(`${this.origin}${path}`, {
        method,
        dispatcher: this.agent,
        ...(body
          ? { body, headers: { 'content-type': 'application/x-tar' } }
          : {}),
      });
    } catch (err) {
      throw new ImgsignError(
        'INCONCLUSIVE',
        `docker engine at ${this.host}: ${what}: ${describeError(err)} (is the daemon running? set DOCKER_HOST)`,
        { cause: err },
      );
    }
  }
}

async function readBody(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > MAX_RESPONSE_BYTES) {
      body.destroy();
      throw new ImgsignError(
        'INCONCLUSIVE',
        `docker engine response over ${MAX_RESPONSE_BYTES} bytes`,
      );
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function errorMessage(res: Dispatcher.ResponseData): Promise<string> {
  try {
    return messageOf(await readBody(res.body));
  } catch (err) {
    return describeError(err);
  }
}

/** `{"message": "..."}` error bodies, or the text itself (one line). */
function messageOf(text: string): string {
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    if (typeof parsed['message'] === 'string') return parsed['message'];
  } catch {
    // not JSON: fall through
  }
  return text.trim().split('\n')[0]?.slice(0, 500) ?? '';
}

/** Docker's progress output: JSON objects one after another (usually one per line). */
function parseJSONStream(text: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') {
      if (depth++ === 0) start = i;
    } else if (c === '}' && --depth === 0) {
      out.push(JSON.parse(text.slice(start, i + 1)) as Record<string, unknown>);
    }
  }
  if (depth !== 0 || (out.length === 0 && text.trim() !== '')) {
    throw new ImgsignError(
      'INCONCLUSIVE',
      `docker engine sent unparsable load output: ${text.slice(0, 200)}`,
    );
  }
  return out;
}
