/**
 * Retry policy of the registry client: bounded count, exponential backoff,
 * `Retry-After` honoured (capped so a hostile server cannot stall us long).
 */
export const DEFAULT_RETRY_TIMES = 3;
const BASE_DELAY_MS = 100;
const MAX_DELAY_MS = 10_000;

/** Statuses worth retrying: throttling and server-side failures. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

/** Network errors that may succeed on another try (reset, refused, closed sockets). */
export function isRetryableNetworkError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return (
    typeof code === 'string' &&
    [
      'ECONNRESET',
      'ECONNREFUSED',
      'EPIPE',
      'ETIMEDOUT',
      'UND_ERR_SOCKET',
      'UND_ERR_CLOSED',
      'UND_ERR_CONNECT_TIMEOUT',
      'UND_ERR_HEADERS_TIMEOUT',
    ].includes(code)
  );
}

/** Milliseconds to wait before retry number `attempt` (0-based). */
export function retryDelayMs(
  attempt: number,
  retryAfter: string | string[] | undefined,
  now: () => number = Date.now,
): number {
  const header = Array.isArray(retryAfter) ? retryAfter[0] : retryAfter;
  if (header !== undefined) {
    const trimmed = header.trim();
    if (/^[0-9]+$/.test(trimmed)) {
      return Math.min(Number(trimmed) * 1000, MAX_DELAY_MS);
    }
    const date = Date.parse(trimmed);
    if (!Number.isNaN(date)) {
      return Math.min(Math.max(date - now(), 0), MAX_DELAY_MS);
    }
  }
  return Math.min(BASE_DELAY_MS * 2 ** attempt, MAX_DELAY_MS);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Drop a response body we will not read, without an unhandled 'error' event. */
export function discardBody(body: {
  on(e: 'error', f: () => void): unknown;
  destroy(): unknown;
}): void {
  body.on('error', () => undefined);
  body.destroy();
}
