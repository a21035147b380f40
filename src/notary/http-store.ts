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
import { discardBody } from '../transports/docker/retry.js';
import { notaryDispatcher, type NotaryTLSOptions } from './http-dispatcher.js';
import {
  NotaryMalformedResponseError,
  NotaryResponseTooLargeError,
  NotaryServerUnavailableError,
  statusError,
} from './http-errors.js';
import { publishBody, type PublishFile } from './http-multipart.js';
import { metadataPath, serverKeyPath, tufPath } from './http-paths.js';
import type { MetadataRequest, MetadataSource } from './metadata-source.js';

export type { PublishFile } from './http-multipart.js';

/**
 * The notary server API client (SPEC §7.5): reads TUF metadata for the TUF
 * client (MetadataSource), fetches the server-held timestamp/snapshot keys,
 * publishes and deletes trust data. Transport, TLS, token auth (401
 * challenge → registry token, scope `repository:<GUN>:pull[,push]`) and
 * redirects are the registry client's (transports/docker).
 *
 * WARNING: every byte returned is untrusted; the TUF layer verifies it. This
 * class only enforces size caps, statuses and that a 200 body is a JSON object.
 */
export interface NotaryHTTPStoreOptions extends NotaryTLSOptions {
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

/** A server-held public key as key JSON (SPEC §7.1), checked only for shape. */
export interface UntrustedServerKey {
  keytype: string;
  /** `keyval.public`, base64. */
  public: string;
  /** The response body as received. */
  raw: Uint8Array;
}

const MAX_KEY_BYTES = 1024 * 1024;
const MAX_ERROR_BYTES = 64 * 1024;

export class NotaryHTTPStore implements MetadataSource {
  readonly description: string;
  /** The server origin, `https://host[:port]`. */
  readonly serverURL: string;
  private readonly options: NotaryHTTPStoreOptions;
  private readonly url: URL;
  private clientPromise: Promise<RegistryClient> | undefined;
  private own: Agent | undefined;

  constructor(options: NotaryHTTPStoreOptions) {
    this.options = options;
    this.url = parseServerURL(options.serverURL, options.insecureAllowHTTP);
    this.serverURL = this.url.origin;
    this.description = `notary server ${this.serverURL}`;
  }

  /** MetadataSource: one metadata file, or undefined on 404. */
  async get(
    gun: string,
    request: MetadataRequest,
  ): Promise<Uint8Array | undefined> {
    const path = metadataPath(gun, request);
    const max = request.maxBytes;
    const context = `${this.description}: reading ${path.slice(tufPath(gun).length)} of ${gun}`;
    if (!Number.isSafeInteger(max) || max < 1) {
      throw new ImgsignError(
        'USAGE',
        `${context}: size limit ${max} is not a positive integer`,
      );
    }
    const res = await this.send('GET', path, gun, ['pull'], context);
    if (res.status === 404) {
      discardBody(res.body);
      return undefined;
    }
    if (res.status !== 200) throw await this.failure(res, context);
    const body = await this.readBody(res, max, context);
    checkJSONObject(body, context);
    return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  }

  /** GET …/{timestamp|snapshot}.key: the server creates the key on first use. */
  async getServerKey(
    gun: string,
    role: 'timestamp' | 'snapshot',
  ): Promise<UntrustedServerKey> {
    const path = serverKeyPath(gun, role);
    const context = `${this.description}: getting the ${role} key of ${gun}`;
    const res = await this.send('GET', path, gun, ['push', 'pull'], context);
    if (res.status !== 200) throw await this.failure(res, context);
    const body = await this.readBody(res, MAX_KEY_BYTES, context);
    const untrusted = checkJSONObject(body, context);
    const keyval = untrusted['keyval'] as Record<string, unknown> | undefined;
    const keytype = untrusted['keytype'];
    const pub = keyval?.['public'];
    if (
      typeof keytype !== 'string' ||
      keytype === '' ||
      typeof pub !== 'string' ||
      !/^[A-Za-z0-9+/]+={0,2}$/.test(pub) ||
      (keyval?.['private'] !== undefined && keyval['private'] !== null)
    ) {
      throw new NotaryMalformedResponseError(
        `${context}: the answer is not a public key JSON {"keytype","keyval":{"public"}}`,
      );
    }
    return { keytype, public: pub, raw: new Uint8Array(body) };
  }

  /** One multipart POST of `files` (SPEC §7.5); the server signs what it holds keys for. */
  async publish(gun: string, files: readonly PublishFile[]): Promise<void> {
    const path = tufPath(gun);
    const roles = files.map((f) => f.role);
    const context = `${this.description}: publishing ${roles.join(', ') || 'nothing'} for ${gun}`;
    if (files.length === 0 || new Set(roles).size !== roles.length) {
      throw new ImgsignError(
        'USAGE',
        `${context}: a publish needs at least one file and each role once`,
      );
    }
    const { contentType, body } = publishBody(files);
    const res = await this.send('POST', path, gun, ['push', 'pull'], context, {
      headers: { 'content-type': contentType },
      body,
    });
    if (res.status !== 200) throw await this.failure(res, context);
    discardBody(res.body);
  }

  /** DELETE /v2/<gun>/_trust/tuf/: remove all trust data of the GUN on the server. */
  async deleteTrustData(gun: string): Promise<void> {
    const path = tufPath(gun);
    const context = `${this.description}: deleting the trust data of ${gun}`;
    const res = await this.send('DELETE', path, gun, ['*'], context);
    if (res.status !== 200) throw await this.failure(res, context);
    discardBody(res.body);
  }

  /** Close the connections this store opened (not the SystemContext's dispatcher). */
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

  private async send(
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

  private async readBody(
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

  private async failure(
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
function checkJSONObject(
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
