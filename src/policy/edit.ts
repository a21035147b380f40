import { open, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describeError, ImgsignError, usageError } from '../errors.js';
import { writeFileAtomic } from '../internal/atomic-file.js';
import { MAX_POLICY_BYTES, parsePolicy } from './parse.js';
import { scopeProblem } from './scope-validation.js';
import {
  parseJsonWithPositions,
  toPlainValue,
} from '../internal/strict-json.js';

/**
 * `imgsign policy set`, with podman `image trust set` semantics: replace the
 * requirements of one scope (or `default`) and keep every other entry as it
 * was. The file is validated before and after, and replaced atomically.
 */
export type TrustType = 'accept' | 'reject' | 'signedBy';

export interface SetPolicyOptions {
  /** `default`, or a scope of `transport` (e.g. `registry.example.com/team`). */
  scope: string;
  type: TrustType;
  /** Keyring files for signedBy (made absolute). */
  pubKeysFiles?: string[];
  /** Transport section to edit (default `docker`, as podman). */
  transport?: string;
}

export interface SetPolicyResult {
  path: string;
  created: boolean;
  scope: string;
  transport?: string;
  requirements: Record<string, unknown>[];
}

function requirementsFor(options: SetPolicyOptions): Record<string, unknown>[] {
  const keys = options.pubKeysFiles ?? [];
  if (options.type !== 'signedBy') {
    if (keys.length > 0) {
      throw usageError('--pubkeysfile can only be used with --type signedBy');
    }
    return [
      { type: options.type === 'accept' ? 'insecureAcceptAnything' : 'reject' },
    ];
  }
  if (keys.length === 0) {
    throw usageError('--type signedBy needs at least one --pubkeysfile');
  }
  return keys.map((k) => ({
    type: 'signedBy',
    keyType: 'GPGKeys',
    keyPath: resolve(k),
  }));
}

async function readExisting(path: string): Promise<Buffer | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ImgsignError(
      'INCONCLUSIVE',
      `cannot read ${path}: ${describeError(err)}`,
    );
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw usageError(`${path} is not a regular file`);
    if (st.size > MAX_POLICY_BYTES) {
      throw usageError(`${path} is larger than ${MAX_POLICY_BYTES} bytes`);
    }
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function setMember(
  obj: Record<string, unknown>,
  key: string,
  value: unknown,
): void {
  Object.defineProperty(obj, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

export async function setPolicyEntry(
  path: string,
  options: SetPolicyOptions,
): Promise<SetPolicyResult> {
  const reqs = requirementsFor(options);
  const transport = options.transport ?? 'docker';
  const scope = options.scope.replace(/^docker:\/\//, '');
  if (scope !== 'default') {
    const problem = scope === '' ? undefined : scopeProblem(transport, scope);
    if (problem !== undefined) {
      throw usageError(
        `invalid scope "${scope}" for transport "${transport}": ${problem}`,
      );
    }
  }
  const existing = await readExisting(path);
  let doc: Record<string, unknown>;
  let mode = 0o644;
  if (existing === undefined) {
    if (scope !== 'default') {
      throw usageError(
        `${path} does not exist; create it first with: imgsign policy set --policy ${path} --type reject default`,
      );
    }
    doc = {};
  } else {
    parsePolicy(existing, path); // refuse to edit a file that is already invalid
    doc = toPlainValue(parseJsonWithPositions(existing)) as Record<
      string,
      unknown
    >;
    mode = (await stat(path)).mode & 0o777;
  }
  if (scope === 'default') {
    setMember(doc, 'default', reqs);
  } else {
    if (!isObject(doc['transports'])) setMember(doc, 'transports', {});
    const transports = doc['transports'] as Record<string, unknown>;
    if (!isObject(transports[transport])) setMember(transports, transport, {});
    setMember(transports[transport] as Record<string, unknown>, scope, reqs);
  }
  const text = `${JSON.stringify(doc, null, 4)}\n`;
  parsePolicy(text, path); // what we write must load
  await writeFileAtomic(path, text, { mode, exactMode: true });
  return {
    path,
    created: existing === undefined,
    scope,
    ...(scope !== 'default' ? { transport } : {}),
    requirements: reqs,
  };
}
