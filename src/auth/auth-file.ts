import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ImgsignError, describeError } from '../errors.js';
import { writeFileAtomic } from '../internal/atomic-file.js';
import type { SystemContext } from '../system-context.js';
import type { Credentials } from './types.js';

/**
 * containers-auth.json(5) / docker config.json: `auths` keyed by registry
 * (optionally with a repository namespace or an `https://…/v1/` URL),
 * `credHelpers` (registry → helper name) and `credsStore` (default helper).
 */
export interface AuthFile {
  auths?: Record<string, { auth?: string; identitytoken?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
  [other: string]: unknown;
}

/** Config files larger than this are not auth files. */
const MAX_AUTH_FILE_BYTES = 1024 * 1024;

/**
 * The files consulted for credentials, in order (c/image order): with
 * `--authfile` only that file; otherwise `$XDG_RUNTIME_DIR/containers/auth.json`,
 * `~/.config/containers/auth.json`, then the docker config.
 */
export function authFileCandidates(sys: SystemContext): string[] {
  if (sys.authFilePath !== undefined) return [sys.authFilePath];
  const out: string[] = [];
  if (sys.xdgRuntimeDir)
    out.push(join(sys.xdgRuntimeDir, 'containers/auth.json'));
  if (sys.homeDir) out.push(join(sys.homeDir, '.config/containers/auth.json'));
  const dockerDir =
    sys.dockerConfigDir ??
    (sys.homeDir !== undefined ? join(sys.homeDir, '.docker') : undefined);
  if (dockerDir !== undefined) out.push(join(dockerDir, 'config.json'));
  return out;
}

/** Where `login` writes and `logout` edits: `--authfile` or the containers default. */
export function defaultWritableAuthFile(sys: SystemContext): string {
  if (sys.authFilePath !== undefined) return sys.authFilePath;
  if (sys.xdgRuntimeDir) return join(sys.xdgRuntimeDir, 'containers/auth.json');
  if (sys.homeDir) return join(sys.homeDir, '.config/containers/auth.json');
  throw new ImgsignError(
    'USAGE',
    'no auth file location: set --authfile, XDG_RUNTIME_DIR or HOME',
  );
}

/** Read an auth file; undefined when it does not exist. Malformed files are errors. */
export async function readAuthFile(
  path: string,
): Promise<AuthFile | undefined> {
  let raw: Buffer;
  try {
    raw = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ImgsignError(
      'USAGE',
      `reading auth file ${path}: ${describeError(err)}`,
      { cause: err },
    );
  }
  if (raw.length > MAX_AUTH_FILE_BYTES) {
    throw new ImgsignError('USAGE', `auth file ${path} is larger than 1 MiB`);
  }
  if (raw.toString('utf8').trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new ImgsignError(
      'USAGE',
      `auth file ${path} is not valid JSON: ${describeError(err)}`,
      { cause: err },
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ImgsignError(
      'USAGE',
      `auth file ${path} must contain a JSON object`,
    );
  }
  const file = parsed as AuthFile;
  for (const key of ['auths', 'credHelpers'] as const) {
    const v = file[key];
    if (
      v !== undefined &&
      (typeof v !== 'object' || v === null || Array.isArray(v))
    ) {
      throw new ImgsignError(
        'USAGE',
        `auth file ${path}: "${key}" must be an object`,
      );
    }
  }
  return file;
}

/** Write atomically (temp name + rename) with mode 0600, creating the directory 0700. */
export async function writeAuthFile(
  path: string,
  file: AuthFile,
): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFileAtomic(path, `${JSON.stringify(file, null, '\t')}\n`, {
    mode: 0o600,
    exactMode: true,
  });
}

/** Decode an `auths` entry's base64 `user:password`. */
export function decodeAuthEntry(
  path: string,
  key: string,
  auth: string,
): Credentials {
  const decoded = Buffer.from(auth, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) {
    throw new ImgsignError(
      'USAGE',
      `auth file ${path}: entry "${key}" is not base64 of user:password`,
    );
  }
  return {
    username: decoded.slice(0, colon),
    password: decoded.slice(colon + 1),
  };
}

export function encodeAuthEntry(creds: Credentials): string {
  return Buffer.from(`${creds.username}:${creds.password}`, 'utf8').toString(
    'base64',
  );
}

/**
 * Normalise an `auths` key to `host[:port][/path]`: strips a scheme and the
 * legacy `/v1/` or `/v2/` suffix; docker.io aliases collapse to `docker.io`.
 */
export function normalizeAuthKey(key: string): string {
  let k = key.replace(/^[a-z]+:\/\//, '').replace(/\/+$/, '');
  k = k.replace(/\/v[12]$/, '');
  const slash = k.indexOf('/');
  const host = slash === -1 ? k : k.slice(0, slash);
  const rest = slash === -1 ? '' : k.slice(slash);
  const aliases = ['index.docker.io', 'registry-1.docker.io'];
  return (aliases.includes(host) ? 'docker.io' : host) + rest;
}
