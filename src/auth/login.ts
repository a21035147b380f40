import { ImgsignError } from '../errors.js';
import type { SystemContext } from '../system-context.js';
import {
  defaultWritableAuthFile,
  encodeAuthEntry,
  normalizeAuthKey,
  readAuthFile,
  writeAuthFile,
} from './auth-file.js';
import type { Credentials } from './types.js';

/**
 * Store credentials for `registry` (host[:port][/namespace]) in the auth
 * file (`--authfile` or the containers default), replacing any entry with
 * the same normalised key. Callers check them with the registry first.
 */
export async function storeCredentials(
  sys: SystemContext,
  registry: string,
  creds: Credentials,
): Promise<string> {
  const path = defaultWritableAuthFile(sys);
  const file = (await readAuthFile(path)) ?? {};
  const key = normalizeAuthKey(registry);
  const auths = { ...(file.auths ?? {}) };
  for (const k of Object.keys(auths)) {
    if (normalizeAuthKey(k) === key) delete auths[k];
  }
  auths[key] = { auth: encodeAuthEntry(creds) };
  await writeAuthFile(path, { ...file, auths });
  return path;
}

/** Remove the entry for `registry` (or every entry with `all`). Returns the file edited. */
export async function removeCredentials(
  sys: SystemContext,
  registry: string | undefined,
  options: { all?: boolean } = {},
): Promise<string> {
  const path = defaultWritableAuthFile(sys);
  const file = await readAuthFile(path);
  if (options.all) {
    if (file) await writeAuthFile(path, { ...file, auths: {} });
    return path;
  }
  if (registry === undefined) {
    throw new ImgsignError('USAGE', 'logout: name a registry or use --all');
  }
  const key = normalizeAuthKey(registry);
  const auths = { ...(file?.auths ?? {}) };
  const matching = Object.keys(auths).filter(
    (k) => normalizeAuthKey(k) === key,
  );
  if (!file || matching.length === 0) {
    throw new ImgsignError(
      'NOT_FOUND',
      `not logged in to ${registry} (no entry in ${path})`,
    );
  }
  for (const k of matching) delete auths[k];
  await writeAuthFile(path, { ...file, auths });
  return path;
}
