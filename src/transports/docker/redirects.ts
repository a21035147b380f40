import type { Readable } from 'node:stream';
import { request, type Dispatcher } from 'undici';
import { ImgsignError } from '../../errors.js';
import {
  describeURL,
  headerValue,
  type ResponseHeaders,
} from './response-body.js';
import { discardBody } from './retry.js';

const MAX_REDIRECTS = 10;

export interface RedirectingRequest {
  method: string;
  start: URL;
  headers: Record<string, string>;
  body: Buffer | string | Readable | undefined;
  /** Authorization header value, sent only to `authOrigin`. */
  auth: string | undefined;
  authOrigin: string;
  dispatcherFor: (scheme: 'https' | 'http') => Promise<Dispatcher | undefined>;
}

/**
 * One request, following GET/HEAD redirects (blob downloads go to storage).
 * SECURITY: Authorization only ever goes to `authOrigin`, never to the
 * origin a redirect names (STYLE.md; test/security/redirect-auth-leak).
 */
export async function requestFollowingRedirects(
  req: RedirectingRequest,
): Promise<{
  status: number;
  headers: ResponseHeaders;
  body: Readable;
  url: string;
}> {
  const canRedirect = req.method === 'GET' || req.method === 'HEAD';
  let url = req.start;
  for (let hop = 0; ; hop++) {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (k.toLowerCase() !== 'authorization') headers[k] = v;
    }
    if (req.auth !== undefined && url.origin === req.authOrigin) {
      headers['authorization'] = req.auth;
    }
    const body = hop === 0 ? req.body : undefined;
    const res = await request(url, {
      method: req.method,
      headers,
      ...(body !== undefined ? { body } : {}),
      dispatcher: await req.dispatcherFor(
        url.protocol === 'https:' ? 'https' : 'http',
      ),
    });
    const location = headerValue(res.headers['location']);
    if (
      canRedirect &&
      [301, 302, 303, 307, 308].includes(res.statusCode) &&
      location !== undefined
    ) {
      discardBody(res.body);
      const where = `${req.method} ${describeURL(req.start.href)}`;
      if (hop >= MAX_REDIRECTS) {
        throw new ImgsignError(
          'REGISTRY_HTTP',
          `${where}: more than ${MAX_REDIRECTS} redirects`,
        );
      }
      const next = new URL(location, url);
      if (next.protocol !== 'https:' && next.protocol !== 'http:') {
        throw new ImgsignError(
          'REGISTRY_HTTP',
          `${where}: redirect to unsupported URL scheme ${next.protocol}`,
        );
      }
      url = next;
      continue;
    }
    return {
      status: res.statusCode,
      headers: res.headers,
      body: res.body,
      url: url.href,
    };
  }
}
