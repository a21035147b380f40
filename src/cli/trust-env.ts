import { homedir } from 'node:os';
import { join } from 'node:path';
import { ImgsignError } from '../errors.js';
import type {
  PassphraseRequest,
  PassphraseRetriever,
} from '../notary/keystore/passphrase.js';
import { canPrompt, promptPassphrase } from './passphrase.js';

/**
 * Docker Content Trust environment (SPEC §7.9, §7.10): where the trust
 * directory is and where key passphrases come from. Only cli/ reads these.
 */
export const ROOT_PASSPHRASE_ENV = 'DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE';
export const REPOSITORY_PASSPHRASE_ENV =
  'DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE';

/** `$DOCKER_CONFIG/trust`, else `~/.docker/trust`. */
export function trustDirectory(env: NodeJS.ProcessEnv = process.env): string {
  const config =
    env['DOCKER_CONFIG'] || join(env['HOME'] || homedir(), '.docker');
  return join(config, 'trust');
}

/** How a prompt names the key: root, repository (targets/snapshot) or the role itself. */
function promptAlias(role: string): string {
  if (role === 'targets' || role === 'snapshot') return 'repository';
  return role;
}

export interface TrustPromptIO {
  canPrompt(): boolean;
  prompt(text: string): Promise<string>;
  /** A notice on the terminal (stderr). */
  notice(text: string): void;
}

const terminal: TrustPromptIO = {
  canPrompt,
  prompt: promptPassphrase,
  notice: (text) => process.stderr.write(`${text}\n`),
};

const MIN_NEW_PASSPHRASE = 8;
const ENV_TRIES = 3;
const PROMPT_TRIES = 3;

async function askNew(
  io: TrustPromptIO,
  req: PassphraseRequest,
): Promise<string> {
  const label = `new ${promptAlias(req.role)} key with ID ${req.keyId.slice(0, 7)}`;
  for (let i = 0; i < PROMPT_TRIES; i++) {
    const first = await io.prompt(`Enter passphrase for ${label}: `);
    if (first.length < MIN_NEW_PASSPHRASE) {
      io.notice(
        `Passphrase is too short (at least ${MIN_NEW_PASSPHRASE} characters). Please retry.`,
      );
      continue;
    }
    const again = await io.prompt(`Repeat passphrase for ${label}: `);
    if (first === again) return first;
    io.notice('Passphrases do not match. Please retry.');
  }
  throw new ImgsignError(
    'PASSPHRASE',
    `no acceptable passphrase for the ${label} after ${PROMPT_TRIES} tries`,
  );
}

/**
 * notary-style passphrase retriever: root keys use
 * DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE, every other key
 * DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE (set and non-empty: used without
 * prompting, giving up after the third wrong try). Otherwise ask on the
 * terminal; without one, fail naming the variable to set.
 */
export function trustPassphraseRetriever(
  env: NodeJS.ProcessEnv = process.env,
  io: TrustPromptIO = terminal,
): PassphraseRetriever {
  return async (req) => {
    const variable =
      req.role === 'root' ? ROOT_PASSPHRASE_ENV : REPOSITORY_PASSPHRASE_ENV;
    const fromEnv = env[variable];
    if (fromEnv) {
      if (req.attempt >= ENV_TRIES) {
        throw new ImgsignError(
          'PASSPHRASE',
          `the passphrase in ${variable} was tried ${ENV_TRIES} times; set the right one`,
        );
      }
      return fromEnv;
    }
    const alias = promptAlias(req.role);
    if (!io.canPrompt()) {
      throw new ImgsignError(
        'PASSPHRASE',
        `a passphrase is needed for the ${alias} key: set ${variable} (no terminal to ask on)`,
      );
    }
    if (req.createNew) return askNew(io, req);
    if (req.attempt >= PROMPT_TRIES) {
      throw new ImgsignError('PASSPHRASE', `too many passphrase attempts`);
    }
    if (req.attempt > 0) io.notice('Passphrase incorrect. Please retry.');
    const what =
      req.role === 'encrypted'
        ? 'encrypted key file'
        : `${alias} key with ID ${req.keyId.slice(0, 7)}`;
    return io.prompt(`Enter passphrase for ${what}: `);
  };
}
