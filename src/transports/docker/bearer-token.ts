import { request, type Dispatcher } from 'undici';
import {
  ImgsignError,
  RegistryHTTPError,
  describeError,
} from '../../errors.js';
import type { Credentials } from '../../auth/types.js';
import type { AuthChallenge } from './www-authenticate.js';
import { discardBody } from './retry.js';

/** docker's convention: this user name means the password is an identity (refresh) token. */
export const IDENTITY_TOKEN_USER = '<token>';

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
  const headers: Record<string, string> = {};
  let body: string | undefined;
  const creds = options.credentials;
  if (creds?.username === IDENTITY_TOKEN_USER) {
    // An identity (refresh) token: the OAuth2 POST form of the token spec.
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: creds.password,
      client_id: 'imgsign',
      ...(service ? { service } : {}),
    });
    if (options.scopes.length > 0) form.set('scope', options.scopes.join(' '));
    body = form.toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  } else {
    if (service) url.searchParams.set('service', service);
    for (const scope of options.scopes) url.searchParams.append('scope', scope);
    if (creds) {
      headers['authorization'] =
        'Basic ' +
        Buffer.from(`${creds.username}:${creds.password}`).toString('base64');
    }
  }
  const started = Date.now();
  let res: Dispatcher.ResponseData;
  try {
    res = await request(url, {
      method: body === undefined ? 'GET' : 'POST',
      headers,
      ...(body !== undefined ? { body } : {}),
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
