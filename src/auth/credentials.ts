import type { SystemContext } from '../system-context.js';
import {
  authFileCandidates,
  decodeAuthEntry,
  normalizeAuthKey,
  readAuthFile,
  type AuthFile,
} from './auth-file.js';
import { credentialHelperGet } from './cred-helper.js';
import type { Credentials } from './types.js';

/**
 * Credentials for `registry` (host[:port]), optionally for one repository
 * path (auth.json may hold repository-scoped keys; the most specific wins).
 * Looks through authFileCandidates() in order; within a file: `credHelpers`,
 * then `auths`, then `credsStore`. Undefined = anonymous.
 */
export async function lookupCredentials(
  sys: SystemContext,
  registry: string,
  repository?: string,
): Promise<Credentials | undefined> {
  const keys = candidateKeys(registry, repository);
  for (const path of authFileCandidates(sys)) {
    const file = await readAuthFile(path);
    if (!file) continue;
    const found = await fromFile(path, file, registry, keys);
    if (found) return found;
  }
  return undefined;
}

function candidateKeys(registry: string, repository?: string): string[] {
  const host = normalizeAuthKey(registry);
  const out: string[] = [];
  if (repository) {
    const parts = repository.split('/');
    for (let n = parts.length; n > 0; n--) {
      out.push(`${host}/${parts.slice(0, n).join('/')}`);
    }
  }
  out.push(host);
  return out;
}

async function fromFile(
  path: string,
  file: AuthFile,
  registry: string,
  keys: string[],
): Promise<Credentials | undefined> {
  const helpers = file.credHelpers ?? {};
  for (const [key, helper] of Object.entries(helpers)) {
    if (typeof helper === 'string' && normalizeAuthKey(key) === keys.at(-1)) {
      const creds = await credentialHelperGet(helper, key);
      if (creds) return creds;
    }
  }
  const auths = file.auths ?? {};
  const normalized = new Map<
    string,
    [string, { auth?: string; identitytoken?: string }]
  >();
  for (const [key, entry] of Object.entries(auths)) {
    normalized.set(normalizeAuthKey(key), [key, entry]);
  }
  for (const key of keys) {
    const hit = normalized.get(key);
    const identityToken = hit?.[1].identitytoken;
    if (typeof identityToken === 'string' && identityToken !== '') {
      // docker's convention for refresh tokens (see bearer-token.ts).
      return { username: '<token>', password: identityToken };
    }
    if (hit && typeof hit[1].auth === 'string' && hit[1].auth !== '') {
      return decodeAuthEntry(path, hit[0], hit[1].auth);
    }
  }
  if (typeof file.credsStore === 'string' && file.credsStore !== '') {
    const serverURL =
      normalizeAuthKey(registry) === 'docker.io'
        ? 'https://index.docker.io/v1/'
        : registry;
    return credentialHelperGet(file.credsStore, serverURL);
  }
  return undefined;
}
