import { ImgsignError, RegistryHTTPError } from '../../errors.js';
import type { RegistryResponse } from './registry-client.js';

/**
 * Turn an unexpected registry answer into a one-line error, using the
 * distribution error envelope `{"errors":[{"code","message"}]}` when present.
 * 404 becomes NOT_FOUND so callers can tell "absent" from "failed".
 */
export function registryError(
  res: Pick<RegistryResponse, 'status' | 'body'>,
  context: string,
): ImgsignError {
  const detail = errorDetail(res.body);
  const message = `${context}: HTTP ${res.status}${detail ? ` (${detail})` : ''}`;
  if (res.status === 404) return new ImgsignError('NOT_FOUND', message);
  if (res.status === 401 || res.status === 403) {
    return new RegistryHTTPError(
      res.status,
      `${message}; check the credentials (--creds, --authfile or login)`,
    );
  }
  return new RegistryHTTPError(res.status, message);
}

function errorDetail(body: Buffer): string | undefined {
  if (body.length === 0 || body.length > 64 * 1024) return undefined;
  try {
    const parsed = JSON.parse(body.toString('utf8')) as {
      errors?: { code?: unknown; message?: unknown }[];
    };
    const first = Array.isArray(parsed.errors) ? parsed.errors[0] : undefined;
    if (
      first &&
      (typeof first.code === 'string' || typeof first.message === 'string')
    ) {
      const code = typeof first.code === 'string' ? first.code : '';
      const msg = typeof first.message === 'string' ? first.message : '';
      return [code, msg]
        .filter((s) => s !== '')
        .join(': ')
        .replace(/\s+/g, ' ')
        .slice(0, 300);
    }
  } catch {
    // Not the error envelope.
  }
  return undefined;
}
