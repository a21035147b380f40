import { open } from 'node:fs/promises';
import { type Dispatcher, request } from 'undici';
import { ImgsignError, RegistryHTTPError, describeError } from '../errors.js';

/** Largest signature accepted from any store (c/image iolimits). */
export const MAX_SIGNATURE_BYTES = 4 * 1024 * 1024;
/** More signatures than this in one lookaside is treated as a server fault (SPEC §4.3). */
export const MAX_LOOKASIDE_SIGNATURES = 128;

const MAX_REDIRECTS = 5;

function tooLarge(what: string): ImgsignError {
  return new ImgsignError(
    'INCONCLUSIVE',
    `${what} is larger than ${MAX_SIGNATURE_BYTES} bytes: refusing to read it`,
  );
}

/**
 * One signature file, or null when it does not exist. A directory, a
 * symlink loop or any other I/O failure is an error, never "missing".
 */
export async function readSignatureFile(path: string): Promise<Buffer | null> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ImgsignError(
      'INCONCLUSIVE',
      `reading ${path}: ${describeError(err)}`,
      { cause: err },
    );
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) {
      throw new ImgsignError(
        'INCONCLUSIVE',
        `${path} is not a regular file: a signature was expected there`,
      );
    }
    if (stat.size > MAX_SIGNATURE_BYTES) throw tooLarge(path);
    const buf = Buffer.alloc(MAX_SIGNATURE_BYTES + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(
        buf,
        length,
        buf.length - length,
        null,
      );
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > MAX_SIGNATURE_BYTES) throw tooLarge(path);
    }
    return Buffer.from(buf.subarray(0, length));
  } finally {
    await handle.close();
  }
}

/** Read a response body, failing as soon as it exceeds `limit`. */
export async function readBounded(
  body: Dispatcher.ResponseData['body'],
  limit: number,
  what: string,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > limit) {
      body.destroy();
      throw tooLarge(what);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * GET one lookaside signature over http(s): the body on 200, null on 404;
 * any other status, an HTML page or an oversized body is an error
 * (SPEC §4.3, §8). Redirects are followed (no credentials are ever sent).
 */
export async function httpGetSignature(
  url: URL,
  dispatcher?: Dispatcher,
): Promise<Buffer | null> {
  let current = url;
  for (let hops = 0; ; hops++) {
    let res: Dispatcher.ResponseData;
    try {
      res = await request(current, {
        method: 'GET',
        ...(dispatcher !== undefined ? { dispatcher } : {}),
      });
    } catch (err) {
      throw new ImgsignError(
        'INCONCLUSIVE',
        `GET ${current.href}: ${describeError(err)}`,
        { cause: err },
      );
    }
    const { statusCode, headers } = res;
    const location = headers['location'];
    if (statusCode >= 300 && statusCode < 400 && location !== undefined) {
      await res.body.dump();
      if (hops >= MAX_REDIRECTS) {
        throw new RegistryHTTPError(
          statusCode,
          `GET ${url.href}: more than ${MAX_REDIRECTS} redirects`,
        );
      }
      const next = new URL(String(location), current);
      if (next.protocol !== 'http:' && next.protocol !== 'https:') {
        throw new RegistryHTTPError(
          statusCode,
          `GET ${current.href}: refusing redirect to ${next.protocol} URL`,
        );
      }
      current = next;
      continue;
    }
    if (statusCode === 404) {
      await res.body.dump();
      return null;
    }
    if (statusCode !== 200) {
      await res.body.dump();
      throw new RegistryHTTPError(
        statusCode,
        `GET ${current.href}: status ${statusCode} (only 200 or 404 are expected from a lookaside server)`,
      );
    }
    const type = String(headers['content-type'] ?? '').toLowerCase();
    if (type.startsWith('text/html')) {
      await res.body.dump();
      throw new ImgsignError(
        'INCONCLUSIVE',
        `GET ${current.href}: the server returned an HTML page, not a signature (check the lookaside URL)`,
      );
    }
    const declared = Number(headers['content-length']);
    if (Number.isFinite(declared) && declared > MAX_SIGNATURE_BYTES) {
      res.body.destroy();
      throw tooLarge(`GET ${current.href}`);
    }
    return readBounded(res.body, MAX_SIGNATURE_BYTES, `GET ${current.href}`);
  }
}
