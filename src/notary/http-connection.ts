import type { Agent } from 'undici';
import type { Credentials } from '../auth/types.js';
import { ImgsignError, describeError } from '../errors.js';
import type { SystemContext } from '../system-context.js';
import {
  RegistryClient,
  type RegistryAction,
  type RegistryStreamResponse,
} from '../transports/docker/registry-client.js';
import {
  ResponseTooLargeError,
  describeURL,
  readCapped,
} from '../transports/docker/response-body.js';
import { notaryDispatcher, type NotaryTLSOptions } from './http-dispatcher.js';
import {
  NotaryMalformedResponseError,
  NotaryResponseTooLargeError,
  NotaryServerUnavailableError,
  statusError,
} from './http-errors.js';

/**
 * One notary server connection: the registry client (transports/docker)
 * does TLS, the `/v2/` ping, token auth on a 401 challenge (scope
 * `repository:<GUN>:<actions>`), retries and redirects; this adds the
 * https-only rule, size caps and the error mapping of SPEC §7.5.
 */
export interface NotaryConnectionOptions extends NotaryTLSOptions {
  /** `https://host[:port]`, e.g. DOCKER_CONTENT_TRUST_SERVER; no path, query or user info. */
  serverURL: string;
  sys: SystemContext;
  /** TESTS ONLY: accept an `http://` server URL (no TLS at all). */
  insecureAllowHTTP?: boolean;
  /** Credentials for the token server; absent = the auth files of `sys` for the server host. */
  credentials?: Credentials;
  /** Retries on 429/5xx/connection resets (default 0, as notary's own client). */
  retryTimes?: number;
}

const MAX_ERROR_BYTES = 64 * 1024;

export class NotaryConnection {
  /** The server origin, `https://host[:port]`. */
  readonly origin: string;
  private readonly options: NotaryConnectionOptions;
  private readonly url: URL;
  private clientPromise: Promise<RegistryClient> | undefined;
  private own: Agent | undefined;

  constructor(options: NotaryConnectionOptions) {
    this.options = options;
    this.url = parseServerURL(options.serverURL, options.insecureAllowHTTP);
    this.origin = this.url.origin;
  }

  /** Close the connections this connection opened (not the SystemContext's dispatcher). */
  async close(): Promise<void> {
    const client = this.clientPromise;
    this.clientPromise = undefined;
    if (client) await (await client.catch(() => undefined))?.close();
    const own = this.own;
    this.own = undefined;
    await own?.close();
  }

  private client(): Promise<RegistryClient> {
    this.clientPromise ??= (async () => {
      const { dispatcher, own } = await notaryDispatcher(
        this.options.sys.dispatcher,
        this.options,
      );
      this.own = own;
      const http = this.url.protocol === 'http:';
      return new RegistryClient({
        registry: this.url.host,
        sys: { ...this.options.sys, ...(dispatcher ? { dispatcher } : {}) },
        // Plain http is only ever tried for the explicit test option.
        ...(http ? { tlsVerify: false } : {}),
        ...(this.options.credentials
          ? { credentials: this.options.credentials }
          : {}),
        retryTimes: this.options.retryTimes ?? 0,
      });
    })();
    this.clientPromise.catch(() => {
      this.clientPromise = undefined;
    });
    return this.clientPromise;
  }

  /** Send one request; any failure to get a response is "server unavailable". */
  async send(
    method: string,
    path: string,
    gun: string,
    actions: RegistryAction[],
    context: string,
    extra: { headers?: Record<string, string>; body?: Buffer } = {},
  ): Promise<RegistryStreamResponse> {
    try {
      const client = await this.client();
      const { scheme } = await client.ping();
      if (scheme === 'http' && this.url.protocol === 'https:') {
        throw new ImgsignError(
          'REGISTRY_HTTP',
          'it answers only plain http, not https',
        );
      }
      return await client.requestStream({
        method,
        path,
        repository: gun,
        actions,
        ...extra,
      });
    } catch (err) {
      if (err instanceof ImgsignError && err.code === 'USAGE') throw err;
      throw new NotaryServerUnavailableError(
        undefined,
        `${context}: server unavailable: ${describeError(err)}`,
        { cause: err },
      );
    }
  }

  /** The body of a 200, capped at `max` (more: malicious server). */
  async readBody(
    res: RegistryStreamResponse,
    max: number,
    context: string,
  ): Promise<Buffer> {
    try {
      return await readCapped(res.body, max, res.headers, () =>
        describeURL(res.url),
      );
    } catch (err) {
      if (err instanceof ResponseTooLargeError) {
        throw new NotaryResponseTooLargeError(
          `${context}: the server sent more than the ${max} bytes allowed (malicious server?)`,
          { cause: err },
        );
      }
      throw new NotaryServerUnavailableError(
        res.status,
        `${context}: ${describeError(err)}`,
        { cause: err },
      );
    }
  }

  /** The error for a non-200 answer, with the server's error envelope. */
  async failure(
    res: RegistryStreamResponse,
    context: string,
  ): Promise<ImgsignError> {
    let body: Buffer = Buffer.alloc(0);
    try {
      body = await readCapped(res.body, MAX_ERROR_BYTES, res.headers, () =>
        describeURL(res.url),
      );
    } catch {
      // An unreadable error body still leaves the status to report.
    }
    return statusError(res.status, body, context);
  }
}

/** https origin only (http with the test option); anything else is a usage error. */
function parseServerURL(raw: string, allowHTTP: boolean | undefined): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ImgsignError(
      'USAGE',
      `notary server URL "${raw}" is not a URL: use https://host[:port]`,
    );
  }
  const okScheme =
    url.protocol === 'https:' ||
    (allowHTTP === true && url.protocol === 'http:');
  if (!okScheme) {
    throw new ImgsignError(
      'USAGE',
      `notary server URL "${raw}" must use https`,
    );
  }
  if (
    url.username !== '' ||
    url.password !== '' ||
    (url.pathname !== '/' && url.pathname !== '') ||
    url.search !== '' ||
    url.hash !== ''
  ) {
    throw new ImgsignError(
      'USAGE',
      `notary server URL "${raw}" must be only https://host[:port] (no path, query or credentials)`,
    );
  }
  return url;
}

/** A 200 body must be one JSON object (metadata file or key): catches HTML pages and garbage. */
export function checkJSONObject(
  untrustedBody: Buffer,
  context: string,
): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(untrustedBody.toString('utf8'));
  } catch (err) {
    throw new NotaryMalformedResponseError(
      `${context}: the answer is not JSON (${describeError(err)})`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new NotaryMalformedResponseError(
      `${context}: the answer is not a JSON object`,
    );
  }
  return parsed as Record<string, unknown>;
}
