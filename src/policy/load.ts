import { open } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeError, ImgsignError, PolicyFormatError } from '../errors.js';
import { MAX_POLICY_BYTES, parsePolicy } from './parse.js';
import type { Policy } from './types.js';

/**
 * Which policy.json applies (SPEC §3.1), and loading it.
 *
 * Order: `--policy FILE`; else `$HOME/.config/containers/policy.json`;
 * else `/etc/containers/policy.json`; else the shipped
 * `policies/default.json`. The last step is a deliberate difference from
 * SPEC §3.1 / containers/image (which fail when neither system file exists):
 * issue 5 asks for it so that imgsign works on machines without the
 * containers tools installed. The shipped default is containers-common's
 * (accept anything); see policies/README.md.
 */
export interface LoadPolicyOptions {
  /** `--policy FILE`: used as is, never falling back. */
  path?: string;
  /** `--insecure-policy`: accept anything, no file read (skopeo). */
  insecure?: boolean;
  /** $HOME, for the per-user file; undefined skips that step. */
  homeDir?: string;
  /** Override of /etc/containers/policy.json (tests). */
  systemPath?: string;
  /** Package directory holding policies/ (default: this package). */
  packageRoot?: string;
}

export interface LoadedPolicy {
  policy: Policy;
  /** The file read, or `(insecure)` for --insecure-policy. */
  source: string;
}

export const SYSTEM_POLICY_PATH = '/etc/containers/policy.json';
export const USER_POLICY_SUBPATH = '.config/containers/policy.json';

/** This package's root (the directory holding package.json and policies/). */
export function defaultPackageRoot(): string {
  // src/policy/load.ts and dist/policy/load.js are both two levels down.
  return resolve(dirname(fileURLToPath(import.meta.url)), '../..');
}

export function shippedDefaultPolicyPath(packageRoot?: string): string {
  return join(packageRoot ?? defaultPackageRoot(), 'policies/default.json');
}

/** Read a file of at most MAX_POLICY_BYTES; undefined if it does not exist. */
async function readIfExists(path: string): Promise<Buffer | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ImgsignError(
      'INCONCLUSIVE',
      `cannot read policy ${path}: ${describeError(err)}`,
    );
  }
  try {
    const { size, isDirectory } = await handle.stat().then((s) => ({
      size: s.size,
      isDirectory: s.isDirectory(),
    }));
    if (isDirectory) {
      throw new PolicyFormatError(`policy ${path} is a directory, not a file`);
    }
    if (size > MAX_POLICY_BYTES) {
      throw new PolicyFormatError(
        `policy ${path} is larger than ${MAX_POLICY_BYTES} bytes`,
      );
    }
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/** Parse one policy file (`policy lint`, `--policy`). Missing → PolicyFormatError. */
export async function loadPolicyFile(path: string): Promise<Policy> {
  const bytes = await readIfExists(path);
  if (bytes === undefined) {
    throw new PolicyFormatError(`policy file ${path} does not exist`);
  }
  return parsePolicy(bytes, path);
}

/** The policy skopeo's --insecure-policy uses. */
export function insecureAcceptAnythingPolicy(): Policy {
  return {
    default: [{ type: 'insecureAcceptAnything' }],
    transports: new Map(),
  };
}

/** The candidate files in lookup order (for messages and `policy show`). */
export function policySearchPath(options: LoadPolicyOptions): string[] {
  if (options.path !== undefined) return [options.path];
  const out: string[] = [];
  if (options.homeDir !== undefined) {
    out.push(join(options.homeDir, USER_POLICY_SUBPATH));
  }
  out.push(options.systemPath ?? SYSTEM_POLICY_PATH);
  out.push(shippedDefaultPolicyPath(options.packageRoot));
  return out;
}

export async function loadPolicy(
  options: LoadPolicyOptions = {},
): Promise<LoadedPolicy> {
  if (options.insecure) {
    return { policy: insecureAcceptAnythingPolicy(), source: '(insecure)' };
  }
  if (options.path !== undefined) {
    return { policy: await loadPolicyFile(options.path), source: options.path };
  }
  const candidates = policySearchPath(options);
  for (const path of candidates) {
    const bytes = await readIfExists(path);
    if (bytes !== undefined)
      return { policy: parsePolicy(bytes, path), source: path };
  }
  throw new PolicyFormatError(
    `no policy found: none of ${candidates.join(', ')} exists; pass --policy FILE`,
  );
}
