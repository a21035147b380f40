import {
  InconclusiveError,
  RegistryHTTPError,
  TrustError,
  type ImgsignErrorOptions,
} from '../errors.js';

/**
 * Errors of the notary server client (SPEC §7.5 client status mapping):
 * 404 is "not found" (not an error for metadata reads), 400 an invalid
 * operation whose distribution error envelope we report, anything else
 * "server unavailable". Messages are one line naming server, GUN and role.
 */

/** The server refused the request (HTTP 400): the upload or the request itself is at fault. */
export class NotaryInvalidOperationError extends RegistryHTTPError {
  /** The envelope's error code: MALFORMED_JSON, INVALID_UPDATE, VERSION, … */
  readonly serverCode: string | undefined;
  /** The envelope's detail (which check failed), flattened to one line. */
  readonly detail: string | undefined;
  constructor(
    message: string,
    envelope: ServerErrorEnvelope | undefined,
    options?: ImgsignErrorOptions,
  ) {
    super(400, message, options);
    this.serverCode = envelope?.code;
    this.detail = envelope?.detail;
  }
}

/** No usable answer: network failure, 5xx, 401/403 or any unexpected status. */
export class NotaryServerUnavailableError extends InconclusiveError {
  /** The HTTP status, or undefined when no response came. */
  readonly status: number | undefined;
  readonly serverCode: string | undefined;
  constructor(
    status: number | undefined,
    message: string,
    options?: ImgsignErrorOptions & { serverCode?: string },
  ) {
    super(message, options);
    this.status = status;
    this.serverCode = options?.serverCode;
  }
}

/**
 * A body longer than its cap (declared or streamed): SPEC §7.5 treats this
 * as a malicious server, so it is a trust failure, never truncated.
 */
export class NotaryResponseTooLargeError extends TrustError {
  constructor(message: string, options?: ImgsignErrorOptions) {
    super('hash', message, options);
  }
}

/** A 200 answer whose body is not the JSON object every notary file and key is. */
export class NotaryMalformedResponseError extends TrustError {
  constructor(message: string, options?: ImgsignErrorOptions) {
    super('format', message, options);
  }
}

export interface ServerErrorEnvelope {
  code: string | undefined;
  message: string | undefined;
  detail: string | undefined;
}

/** The first entry of `{"errors":[{"code","message","detail"}]}`, if the body is one. */
export function parseErrorEnvelope(
  untrustedBody: Uint8Array,
): ServerErrorEnvelope | undefined {
  if (untrustedBody.length === 0 || untrustedBody.length > 64 * 1024) {
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(untrustedBody).toString('utf8'));
  } catch {
    return undefined;
  }
  const errors = (parsed as { errors?: unknown } | null)?.errors;
  const first: unknown = Array.isArray(errors) ? errors[0] : undefined;
  if (typeof first !== 'object' || first === null) return undefined;
  const { code, message, detail } = first as Record<string, unknown>;
  const text = (v: unknown): string | undefined => {
    const s =
      typeof v === 'string'
        ? v
        : v === undefined || v === null
          ? ''
          : JSON.stringify(v);
    const flat = s.replace(/[\s\p{Cc}]+/gu, ' ').trim();
    return flat === '' || flat === '{}' ? undefined : flat.slice(0, 300);
  };
  const envelope = {
    code: text(code),
    message: text(message),
    detail: text(detail),
  };
  return envelope.code || envelope.message ? envelope : undefined;
}

/** `CODE: message (detail)` for messages. */
export function describeEnvelope(e: ServerErrorEnvelope): string {
  const head = [e.code, e.message].filter((s) => s !== undefined).join(': ');
  return e.detail !== undefined ? `${head} (${e.detail})` : head;
}

/**
 * The error for a non-200, non-404 answer. `context` names the server,
 * operation, role and GUN (`notary server https://…: reading timestamp of
 * example.com/app`).
 */
export function statusError(
  status: number,
  untrustedBody: Uint8Array,
  context: string,
): NotaryInvalidOperationError | NotaryServerUnavailableError {
  const envelope = parseErrorEnvelope(untrustedBody);
  const why = envelope ? `: ${describeEnvelope(envelope)}` : '';
  if (status === 400) {
    return new NotaryInvalidOperationError(
      `${context}: the server refused it (HTTP 400${why})`,
      envelope,
    );
  }
  const hint =
    status === 401 || status === 403
      ? '; not authorized: check the registry credentials for this server'
      : '';
  return new NotaryServerUnavailableError(
    status,
    `${context}: server unavailable (HTTP ${status}${why})${hint}`,
    envelope?.code !== undefined ? { serverCode: envelope.code } : {},
  );
}
