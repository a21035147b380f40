import { Readable } from 'node:stream';
import { request as undiciRequest, type Dispatcher } from 'undici';
import {
  ImgsignError,
  InconclusiveError,
  RegistryHTTPError,
  describeError,
} from '../../errors.js';
import type { SystemContext } from '../../system-context.js';
import { lookupCredentials } from '../../auth/credentials.js';
import type { Credentials } from '../../auth/types.js';
import { fetchBearerToken, type BearerToken } from './bearer-token.js';
import {
  DEFAULT_RETRY_TIMES,
  discardBody,
  isRetryableNetworkError,
  isRetryableStatus,
  retryDelayMs,
  sleep,
} from './retry.js';
import { createTLSAgent, isLoopbackRegistry, needsOwnTLSAgent } from './tls.js';
import {
  parseWWWAuthenticate,
  type AuthChallenge,
} from './www-authenticate.js';
import { requestFollowingRedirects } from './redirects.js';
import {
  describeURL,
  headerValue,
  readCapped,
  type ResponseHeaders,
} from './response-body.js';

/**
 * Registry API v2 HTTP client: ping/scheme detection, auth (anonymous,
 * basic, bearer tokens per scope), retries and redirects. One instance per
 * registry and option set, from getRegistryClient().
 *
 * WARNING: every response is untrusted. Bodies are size-capped here;
 * callers check statuses and digests.
 */
export interface RegistryClientOptions {
  /** host[:port], the domain of a docker reference. */
  registry: string;
  sys: SystemContext;
  /** false: plain http allowed and https certificates not verified. */
  tlsVerify?: boolean;
  /** containers-certs.d(5) directory: *.crt CAs, *.cert/*.key client pair. */
  certDir?: string;
  /** Explicit credentials; when absent, auth files from `sys` are consulted. */
  credentials?: Credentials;
  /** Retries on 429/5xx/connection reset (default 3). */
  retryTimes?: number;
}

export type RegistryAction = 'pull' | 'push' | 'delete' | '*';

export interface RegistryScope {
  repository: string;
  actions: RegistryAction[];
}

export interface RegistryRequestOptions {
  method: string;
  /** Absolute path (`/v2/ns/repo/manifests/tag`, may carry a query) or an absolute URL (upload Location). */
  path: string;
  /** Repository path without host, for the token scope; '' for none. */
  repository: string;
  actions: RegistryAction[];
  /** More scopes for the same token (cross-repository mount needs the source's pull). */
  additionalScopes?: RegistryScope[];
  headers?: Record<string, string>;
  body?: Buffer | string | Readable;
  /** Cap on the response body (default 4 MiB); larger answers are an error. */
  maxBodyBytes?: number;
}

export type { ResponseHeaders } from './response-body.js';
export {
  ResponseTooLargeError,
  describeURL,
  headerValue,
} from './response-body.js';

export interface RegistryResponse {
  status: number;
  headers: ResponseHeaders;
  body: Buffer;
  /** Final URL after redirects. */
  url: string;
}

export interface RegistryStreamResponse {
  status: number;
  headers: ResponseHeaders;
  /** WARNING: the caller must consume or destroy it. */
  body: Readable;
  url: string;
}

export interface PingResult {
  scheme: 'https' | 'http';
  supportsSignatures: boolean;
}

const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

export class RegistryClient {
  readonly registry: string;
  /** Where the API is served: docker.io's is registry-1.docker.io. */
  readonly apiHost: string;
  private readonly options: RegistryClientOptions;
  private pingPromise: Promise<PingResult> | undefined;
  private challenge: AuthChallenge | undefined;
  /** Looked-up credentials per repository ('' = the registry as a whole). */
  private readonly credentialsByRepo = new Map<
    string,
    Promise<Credentials | undefined>
  >();
  private readonly tokens = new Map<string, Promise<BearerToken>>();
  private ownAgent: Dispatcher | undefined;
  private readonly retryTimes: number;

  constructor(options: RegistryClientOptions) {
    this.options = options;
    this.registry = options.registry;
    this.apiHost =
      options.registry === 'docker.io'
        ? 'registry-1.docker.io'
        : options.registry;
    this.retryTimes = Math.max(0, options.retryTimes ?? DEFAULT_RETRY_TIMES);
  }

  /**
   * GET /v2/ (SPEC §5): https first; plain http only when TLS verification is
   * off or the registry is on loopback. 200 or 401 is success; the signature
   * extension is on iff `X-Registry-Supports-Signatures` is exactly `1`.
   */
  ping(): Promise<PingResult> {
    this.pingPromise ??= this.doPing().catch((err: unknown) => {
      this.pingPromise = undefined;
      throw err;
    });
    return this.pingPromise;
  }

  /**
   * Buffered request; the body is read up to `maxBodyBytes`. A body cut off
   * by the network (reset, closed early) is fetched again like a failed
   * request, within the same retry budget; an oversized one never is.
   */
  async request(options: RegistryRequestOptions): Promise<RegistryResponse> {
    const max = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    const replayable = !(options.body instanceof Readable);
    for (let attempt = 0; ; attempt++) {
      const res = await this.send(options);
      try {
        const body = await readCapped(res.body, max, res.headers, () =>
          describeURL(res.url),
        );
        return { status: res.status, headers: res.headers, body, url: res.url };
      } catch (err) {
        if (
          !replayable ||
          attempt >= this.retryTimes ||
          !(err instanceof InconclusiveError)
        ) {
          throw err;
        }
        await sleep(retryDelayMs(attempt, undefined));
      }
    }
  }

  /** Streaming request (blobs): the body is returned unread. */
  requestStream(
    options: RegistryRequestOptions,
  ): Promise<RegistryStreamResponse> {
    return this.send(options);
  }

  /**
   * Check that the credentials are accepted (login): GET /v2/ with
   * authentication and no repository scope. Throws on refusal.
   */
  async checkAuth(): Promise<void> {
    const res = await this.request({
      method: 'GET',
      path: '/v2/',
      repository: '',
      actions: [],
    });
    if (res.status === 401 || res.status === 403) {
      throw new ImgsignError(
        'REGISTRY_HTTP',
        `logging in to ${this.registry}: invalid username/password (HTTP ${res.status})`,
      );
    }
    if (res.status !== 200) {
      throw new ImgsignError(
        'REGISTRY_HTTP',
        `logging in to ${this.registry}: unexpected HTTP ${res.status} from /v2/`,
      );
    }
  }

  /** Close connections this client opened itself (not `sys.dispatcher`). */
  async close(): Promise<void> {
    const agent = this.ownAgent;
    this.ownAgent = undefined;
    if (agent) await agent.close();
  }

  private async doPing(): Promise<PingResult> {
    const httpAllowed =
      this.options.tlsVerify === false || isLoopbackRegistry(this.registry);
    const schemes: ('https' | 'http')[] = httpAllowed
      ? ['https', 'http']
      : ['https'];
    const failures: string[] = [];
    for (const scheme of schemes) {
      // Resets and 429/5xx are retried like any request (--retry-times).
      for (let attempt = 0; ; attempt++) {
        const r = await this.pingOnce(scheme);
        if ('result' in r) return r.result;
        if (!r.retryable || attempt >= this.retryTimes) {
          failures.push(`${scheme}: ${r.failure}`);
          break;
        }
        await sleep(retryDelayMs(attempt, r.retryAfter));
      }
    }
    throw new InconclusiveError(
      `pinging registry ${this.registry}: ${failures.join('; ')}${httpAllowed ? '' : ' (use --tls-verify=false for a plain-http registry)'}`,
    );
  }

  private async pingOnce(
    scheme: 'https' | 'http',
  ): Promise<
    | { result: PingResult }
    | { failure: string; retryable: boolean; retryAfter?: string | string[] }
  > {
    const url = new URL(`${scheme}://${this.apiHost}/v2/`);
    try {
      const res = await undiciRequest(url, {
        method: 'GET',
        dispatcher: await this.dispatcherFor(scheme),
      });
      res.body.resume();
      if (res.statusCode !== 200 && res.statusCode !== 401) {
        return {
          failure: `HTTP ${res.statusCode}`,
          retryable: isRetryableStatus(res.statusCode),
          retryAfter: res.headers['retry-after'],
        };
      }
      this.noteChallenge(res.headers['www-authenticate']);
      return {
        result: {
          scheme,
          supportsSignatures:
            headerValue(res.headers['x-registry-supports-signatures']) === '1',
        },
      };
    } catch (err) {
      // OpenSSL messages carry a build path; its reason is what matters.
      const reason = (err as { reason?: unknown } | null)?.reason;
      return {
        failure:
          typeof reason === 'string'
            ? `TLS handshake failed (${reason})`
            : describeError(err),
        retryable: isRetryableNetworkError(err),
      };
    }
  }

  private noteChallenge(header: string | string[] | undefined): void {
    const challenges = parseWWWAuthenticate(header);
    this.challenge =
      challenges.find((c) => c.scheme === 'bearer') ??
      challenges.find((c) => c.scheme === 'basic') ??
      this.challenge;
  }

  private async dispatcherFor(
    scheme: 'https' | 'http',
  ): Promise<Dispatcher | undefined> {
    if (scheme === 'https' && needsOwnTLSAgent(this.options)) {
      this.ownAgent ??= await createTLSAgent(this.options);
      return this.ownAgent;
    }
    return this.options.sys.dispatcher;
  }

  /** Explicit credentials, else the auth files' (repository-scoped keys win). */
  private credentials(repository: string): Promise<Credentials | undefined> {
    if (this.options.credentials) {
      return Promise.resolve(this.options.credentials);
    }
    let found = this.credentialsByRepo.get(repository);
    if (!found) {
      found = lookupCredentials(
        this.options.sys,
        this.registry,
        repository === '' ? undefined : repository,
      );
      this.credentialsByRepo.set(repository, found);
    }
    return found;
  }

  /** The Authorization header value for a request to this registry's origin. */
  private async authorization(
    repository: string,
    scopes: string[],
    forceNewToken: boolean,
  ): Promise<string | undefined> {
    const challenge = this.challenge;
    if (!challenge) return undefined;
    const creds = await this.credentials(repository);
    if (challenge.scheme === 'basic') {
      if (!creds) return undefined;
      return (
        'Basic ' +
        Buffer.from(`${creds.username}:${creds.password}`).toString('base64')
      );
    }
    if (challenge.scheme !== 'bearer') return undefined;
    // Tokens depend on the scopes and on who asks for them.
    const key = `${creds?.username ?? ''}\n${[...scopes].sort().join(' ')}`;
    let cached = this.tokens.get(key);
    if (cached && !forceNewToken) {
      const token = await cached.catch(() => undefined);
      if (token && token.expiresAt > Date.now()) return `Bearer ${token.token}`;
    }
    const { scheme } = await this.ping();
    const dispatcher = await this.dispatcherFor(scheme);
    cached = this.withRetries(() =>
      fetchBearerToken({
        challenge,
        scopes,
        credentials: creds,
        dispatcher,
        registry: this.registry,
      }),
    );
    this.tokens.set(key, cached);
    try {
      return `Bearer ${(await cached).token}`;
    } catch (err) {
      if (this.tokens.get(key) === cached) this.tokens.delete(key);
      throw err;
    }
  }

  /** Retry a token fetch on throttling, server errors and resets. */
  private async withRetries<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        const retryable =
          (err instanceof RegistryHTTPError && isRetryableStatus(err.status)) ||
          isRetryableNetworkError((err as { cause?: unknown }).cause);
        if (!retryable || attempt >= this.retryTimes) throw err;
        await sleep(retryDelayMs(attempt, undefined));
      }
    }
  }

  private async send(
    options: RegistryRequestOptions,
  ): Promise<RegistryStreamResponse> {
    const { scheme } = await this.ping();
    const origin = `${scheme}://${this.apiHost}`;
    const target = new URL(options.path, origin);
    const sameOrigin = target.origin === new URL(origin).origin;
    const scopes = scopeStrings(options);
    const replayable = !(options.body instanceof Readable);
    let attempt = 0;
    let reauthenticated = false;
    for (;;) {
      const auth = sameOrigin
        ? await this.authorization(options.repository, scopes, reauthenticated)
        : undefined;
      let res: RegistryStreamResponse;
      try {
        res = await requestFollowingRedirects({
          method: options.method,
          start: target,
          headers: options.headers ?? {},
          body: options.body,
          auth,
          authOrigin: new URL(`${scheme}://${this.apiHost}`).origin,
          dispatcherFor: (s) => this.dispatcherFor(s),
        });
      } catch (err) {
        if (
          replayable &&
          attempt < this.retryTimes &&
          isRetryableNetworkError(err)
        ) {
          await sleep(retryDelayMs(attempt, undefined));
          attempt++;
          continue;
        }
        if (err instanceof ImgsignError) throw err;
        throw new InconclusiveError(
          `${options.method} ${describeURL(target.href)}: ${describeError(err)}`,
          { cause: err },
        );
      }
      if (res.status === 401 && replayable && !reauthenticated && sameOrigin) {
        // The registry may want another scheme, scope or a fresh token.
        this.noteChallenge(res.headers['www-authenticate']);
        const scheme = this.challenge?.scheme;
        if (
          scheme === 'bearer' ||
          (scheme === 'basic' &&
            !auth &&
            (await this.credentials(options.repository)))
        ) {
          discardBody(res.body);
          reauthenticated = true;
          continue;
        }
      }
      if (
        replayable &&
        isRetryableStatus(res.status) &&
        attempt < this.retryTimes
      ) {
        discardBody(res.body);
        await sleep(retryDelayMs(attempt, res.headers['retry-after']));
        attempt++;
        continue;
      }
      return res;
    }
  }
}

function scopeStrings(options: RegistryRequestOptions): string[] {
  const all: RegistryScope[] = [
    { repository: options.repository, actions: options.actions },
    ...(options.additionalScopes ?? []),
  ];
  return all
    .filter((s) => s.repository !== '' && s.actions.length > 0)
    .map((s) => `repository:${s.repository}:${s.actions.join(',')}`);
}

const clients = new WeakMap<SystemContext, Map<string, RegistryClient>>();

/** The client for `options`, shared per SystemContext and option set (tokens and pings are reused). */
export function getRegistryClient(
  options: RegistryClientOptions,
): RegistryClient {
  let perSys = clients.get(options.sys);
  if (!perSys) {
    perSys = new Map();
    clients.set(options.sys, perSys);
  }
  const key = JSON.stringify([
    options.registry,
    options.tlsVerify ?? null,
    options.certDir ?? null,
    options.credentials ?? null,
    options.retryTimes ?? null,
  ]);
  let client = perSys.get(key);
  if (!client) {
    client = new RegistryClient(options);
    perSys.set(key, client);
  }
  return client;
}

/** Close every client created for `sys` (their own TLS agents), e.g. at the end of a command. */
export async function closeRegistryClients(sys: SystemContext): Promise<void> {
  const perSys = clients.get(sys);
  if (!perSys) return;
  clients.delete(sys);
  await Promise.all([...perSys.values()].map((c) => c.close()));
}
