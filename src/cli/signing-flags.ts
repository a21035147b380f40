import { Flags } from '@oclif/core';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { resolveSigner, type ResolvedSigner } from '../keys/resolve.js';
import type { SystemContext } from '../system-context.js';
import { canPrompt, promptPassphrase, readPassphrase } from './passphrase.js';

/**
 * Flags shared by every command that signs (standalone-sign, copy): the key
 * and where its passphrase comes from. Passphrases never come from argv.
 */
export const passphraseFlags = {
  'sign-passphrase-file': Flags.string({
    aliases: ['passphrase-file'],
    description:
      'file whose first line is the passphrase of the signing key (alias --passphrase-file)',
    helpGroup: 'SIGNING',
  }),
  'passphrase-fd': Flags.integer({
    description:
      'read the signing key passphrase from this open file descriptor',
    helpGroup: 'SIGNING',
  }),
  'passphrase-env': Flags.string({
    description:
      'name of an environment variable holding the signing key passphrase',
    helpGroup: 'SIGNING',
  }),
};

export const signingFlags = {
  'sign-by': Flags.string({
    description:
      'sign with this key: fingerprint, long key ID, email or user ID (imgsign keyring, then GnuPG)',
    helpGroup: 'SIGNING',
  }),
  'sign-by-key-file': Flags.string({
    description:
      'sign with the armored or binary OpenPGP private key in this file (no keyring needed)',
    helpGroup: 'SIGNING',
  }),
  ...passphraseFlags,
};

export interface SigningFlagValues {
  'sign-by'?: string | undefined;
  'sign-by-key-file'?: string | undefined;
  'sign-passphrase-file'?: string | undefined;
  'passphrase-fd'?: number | undefined;
  'passphrase-env'?: string | undefined;
}

/** The parts of SystemContext signing needs, from the environment (only cli/ reads env). */
export function signingSystemContext(
  env: NodeJS.ProcessEnv = process.env,
): SystemContext {
  const home = env['HOME'] || homedir();
  const dataHome = env['XDG_DATA_HOME'] || join(home, '.local/share');
  return {
    homeDir: home,
    imgsignHome: env['IMGSIGN_HOME'] || join(dataHome, 'imgsign'),
    gnupgHome: env['GNUPGHOME'] || join(home, '.gnupg'),
  };
}

/** Whether any signing was requested by these flags. */
export function wantsSigning(flags: SigningFlagValues): boolean {
  return (
    flags['sign-by'] !== undefined || flags['sign-by-key-file'] !== undefined
  );
}

/** Resolve the signer the flags name, reading the passphrase as asked. */
export async function signerFromFlags(
  flags: SigningFlagValues,
  sys: SystemContext,
): Promise<ResolvedSigner> {
  const passphrase = await readPassphrase({
    ...(flags['sign-passphrase-file'] !== undefined
      ? { file: flags['sign-passphrase-file'] }
      : {}),
    ...(flags['passphrase-fd'] !== undefined
      ? { fd: flags['passphrase-fd'] }
      : {}),
    ...(flags['passphrase-env'] !== undefined
      ? { env: flags['passphrase-env'] }
      : {}),
  });
  return resolveSigner(
    {
      ...(flags['sign-by'] !== undefined ? { signBy: flags['sign-by'] } : {}),
      ...(flags['sign-by-key-file'] !== undefined
        ? { keyFile: flags['sign-by-key-file'] }
        : {}),
      ...(passphrase !== undefined && passphrase !== '' ? { passphrase } : {}),
      // Asked only when a key needs it: whether stdin is a terminal is
      // only known once its stream is made (~2 ms of every signing run).
      interactive: canPrompt,
      askPassphrase: (prompt) =>
        canPrompt() ? promptPassphrase(prompt) : Promise.resolve(undefined),
    },
    sys,
  );
}
