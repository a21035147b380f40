import type { Readable } from 'node:stream';
import {
  ImgsignError,
  InconclusiveError,
  describeError,
} from '../../errors.js';
import { discardBody } from './retry.js';

/** Response headers as undici gives them. */
export type ResponseHeaders = Record<string, string | string[] | undefined>;

/** A response body over the caller's `maxBodyBytes`. */
export class ResponseTooLargeError extends ImgsignError {
  constructor(message: string) {
    super('REGISTRY_HTTP', message);
  }
}

export function headerValue(
  v: string | string[] | undefined,
): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** URL without query (upload tokens, signed storage URLs) for messages. */
export function describeURL(href: string): string {
  const u = new URL(href);
  return `${u.origin}${u.pathname}`;
}

/** Read a body up to `max` bytes (checking Content-Length first); more is an error. */
export async function readCapped(
  body: Readable,
  max: number,
  headers: ResponseHeaders,
  where: () => string,
): Promise<Buffer> {
  const tooLarge = (): ImgsignError =>
    new ResponseTooLargeError(
      `response from ${where()} is larger than ${max} bytes`,
    );
  const declared = Number(headerValue(headers['content-length']));
  if (Number.isFinite(declared) && declared > max) {
    discardBody(body);
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > max) {
        discardBody(body);
        throw tooLarge();
      }
      chunks.push(chunk);
    }
  } catch (err) {
    if (err instanceof ImgsignError) throw err;
    throw new InconclusiveError(
      `reading response from ${where()}: ${describeError(err)}`,
      { cause: err },
    );
  }
  return Buffer.concat(chunks);
}
