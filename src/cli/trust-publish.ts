/**
 * CLI side of the DCT publishing commands (trust sign, revoke, signer
 * add/remove): options from the environment (trust directory, server
 * override, passphrases) and docker's y/N confirmation, asked only on a
 * terminal. Without one the command refuses instead of guessing.
 */
import { createInterface } from 'node:readline';
import { describeError, ImgsignError } from '../errors.js';
import type { TrustPublishOptions } from '../notary/publish/open.js';
import { copySystemContext } from './copy-flags.js';
import { canPrompt } from './passphrase.js';
import { trustDirectory, trustPassphraseRetriever } from './trust-env.js';
import { trustServerOverride } from './trust-server.js';

/** Options for the publish flows; `out` prints docker's progress lines. */
export function trustPublishOptions(
  out: (line: string) => void,
  warn: (message: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): TrustPublishOptions {
  const serverOverride = trustServerOverride(env);
  return {
    trustDir: trustDirectory(env),
    sys: copySystemContext(env),
    ...(serverOverride !== undefined ? { serverOverride } : {}),
    passphrase: trustPassphraseRetriever(env),
    out,
    warn,
  };
}

/**
 * Ask `message [y/N] ` on the terminal (stderr, so --json output stays
 * clean); true only for y/Y. With no terminal, refuse naming `skipFlag`.
 */
export async function confirmOnTerminal(
  message: string,
  skipFlag: string,
): Promise<boolean> {
  if (!canPrompt()) {
    throw new ImgsignError(
      'USAGE',
      `${message} Refusing without confirmation: there is no terminal to ask on; pass ${skipFlag} to proceed`,
    );
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await new Promise<string>((resolve) =>
      rl.question(`${message} [y/N] `, resolve),
    );
    return answer.trim().toLowerCase() === 'y';
  } finally {
    rl.close();
  }
}

/**
 * Run `each` for every repository, as docker's signer commands do: a
 * failure is reported (`report`) and recorded as `failed` gives it, the
 * other repositories still run; then one error naming the failed ones
 * (`summary: …`), with the exit status of the first failure.
 */
export async function forEachRepository<R>(
  repositories: readonly string[],
  each: (repository: string) => Promise<R>,
  failed: (repository: string, error: string) => R,
  report: (error: string) => void,
  summary: string,
): Promise<R[]> {
  const results: R[] = [];
  const failures: string[] = [];
  let firstError: unknown;
  for (const repository of repositories) {
    try {
      results.push(await each(repository));
    } catch (err) {
      report(describeError(err));
      results.push(failed(repository, describeError(err)));
      failures.push(repository);
      firstError ??= err;
    }
  }
  if (failures.length > 0) {
    // Exit status of the first failure (usage, trust or network).
    throw new ImgsignError(
      firstError instanceof ImgsignError ? firstError.code : 'TRUST',
      `${summary}: ${failures.join(', ')}`,
    );
  }
  return results;
}
