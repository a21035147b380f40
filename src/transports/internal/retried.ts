/**
 * Errors a transport already retried as often as `--retry-times` allows
 * (e.g. a registry GET answered 503 every time). The copy pipeline retries
 * a failed blob as a whole; it must not retry these again, or the two
 * budgets multiply ((N+1)² requests instead of N+1).
 */
const exhausted = new WeakSet<object>();

/** Mark `err` as already retried by its transport; returns it. */
export function markRetried<T>(err: T): T {
  if (typeof err === 'object' && err !== null) exhausted.add(err);
  return err;
}

/** Whether the transport already spent its retries on `err`. */
export function alreadyRetried(err: unknown): boolean {
  return typeof err === 'object' && err !== null && exhausted.has(err);
}
