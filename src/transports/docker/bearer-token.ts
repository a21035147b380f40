import { request, type Dispatcher } from 'undici';
import {
  ImgsignError,
  RegistryHTTPError,
  describeError,
} from '../../errors.js';
import type { Credentials } from '../../auth/types.js';
import type { AuthChallenge } from './www-authenticate.js';
import { discardBody } from './retry.js';

/** Token server answers larger than this are refused. */
const MAX_TOKEN_RESPONSE_BYTES = 1024 * 1024;
/** Registries that omit expires_in mean 60 seconds (distribution token spec). */
const DEFAULT_TOKEN_LIFETIME_S = 60;

export interface BearerToken {
  token: string;
  /** Milliseconds since the epoch after which the token is not reused. */
  expiresAt: number;
}

/**
 * Fetch a bearer token from the challenge's realm for `scopes` (each
 * `repository:<path>:<actions>`), with HTTP Basic credentials when we have
 * them (docker token authentication spec, GET form).
 */
export async function fetchBearerToken(options: {
  challenge: AuthChallenge;
  scopes: string[];
  credentials: Credentials | undefined;
  dispatcher: Dispatcher | undefined;
  registry: string;
}): Promise<BearerToken> {
  const realm = options.challenge.params['realm'];
  if (!realm) {
    throw new ImgsignError(
      'REGISTRY_HTTP',
      `registry ${options.registry} sent a Bearer challenge without a realm`,
    );
  }
  let url: URL;
  try {
    url = new URL(realm);
  } catch {
    throw new ImgsignError(
      'REGISTRY_HTTP',
      `registry ${options.registry} sent an invalid token realm "${realm}"`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ImgsignError(
      'REGISTRY_HTTP',
      `registry ${options.registry} sent a token realm with unsupported scheme "${realm}"`,
    );
  }
  const service = options.challenge.params['service'];
  if (service) url.searchParams.set('service', service);
  for (const scope of options.scopes) url.searchParams.append('scope', scope);
  const headers: Record<string, string> = {};
  if (options.credentials) {
    headers['authorization'] =
      'Basic ' +
      Buffer.from(
        `${options.credentials.username}:${options.credentials.password}`,
      ).toString('base64');
  }
  const started = Date.now();
  let res: Dispatcher.ResponseData;
  try {
    res = await request(url, {
      method: 'GET',
      headers,
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    });
  } catch (err) {
    throw new ImgsignError(
      'INCONCLUSIVE',
      `getting a token for ${options.registry} from ${url.origin}${url.pathname}: ${describeError(err)}`,
      { cause: err },
    );
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > MAX_TOKEN_RESPONSE_BYTES) {
      discardBody(res.body);
      throw new ImgsignError(
        'REGISTRY_HTTP',
        `token response from ${url.origin}${url.pathname} is larger than 1 MiB`,
      );
    }
    chunks.push(chunk);
  }
  if (res.statusCode !== 200) {
    const why =
      res.statusCode === 401 || res.statusCode === 403
        ? 'invalid username/password or access denied'
        : `HTTP ${res.statusCode}`;
    throw new RegistryHTTPError(
      res.statusCode,
      `getting a token for ${options.registry} from ${url.origin}${url.pathname}: ${why}`,
    );
  }
  let parsed: { token?: unknown; access_token?: unknown; expires_in?: unknown };
  try {
    parsed = JSON.parse(
      Buffer.concat(chunks).toString('utf8'),
    ) as typeof parsed;
  } catch (err) {
    throw new ImgsignError(
      'REGISTRY_HTTP',
      `token response from ${url.origin}${url.pathname} is not JSON: ${describeError(err)}`,
    );
  }
  const token =
    typeof parsed.token === 'string' && parsed.token !== ''
      ? parsed.token
      : parsed.access_token;
  if (typeof token !== 'string' || token === '') {
    throw new ImgsignError(
      'REGISTRY_HTTP',
      `token response from ${url.origin}${url.pathname} has no token`,
    );
  }
  const lifetime =
    typeof parsed.expires_in === 'number' && parsed.expires_in > 0
      ? parsed.expires_in
      : DEFAULT_TOKEN_LIFETIME_S;
  // Renew a little early so a token does not expire in flight.
  return { token, expiresAt: started + Math.max(lifetime - 5, 1) * 1000 };
}
