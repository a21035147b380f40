import { Flags } from '@oclif/core';
import type { SystemContext } from '../system-context.js';
import type { DockerSystemContext } from '../transports/docker/docker-system-context.js';
import { copySystemContext, parseCreds } from './copy-flags.js';
import { normalizeBooleanArgv } from './bool-argv.js';

/**
 * Flags of the single-registry commands (login, logout, list-tags, delete),
 * named as skopeo's. `--tls-verify=false` (skopeo form) works through
 * prepareRegistryArgv().
 */
export const registryFlags = {
  creds: Flags.string({
    description: 'Registry credentials',
    helpValue: 'USERNAME[:PASSWORD]',
  }),
  authfile: Flags.string({
    description:
      'Registry auth file (default ${XDG_RUNTIME_DIR}/containers/auth.json, then ~/.docker/config.json)',
    helpValue: 'PATH',
  }),
  'tls-verify': Flags.boolean({
    description:
      'Require HTTPS and verify certificates (plain http is always allowed for localhost)',
    default: true,
    allowNo: true,
  }),
  'cert-dir': Flags.string({
    description: 'Certificates directory (*.crt CAs, *.cert/*.key client pair)',
    helpValue: 'DIR',
  }),
  'retry-times': Flags.integer({
    description: 'Retries on 429, 5xx and connection resets',
    default: 3,
    min: 0,
  }),
};

export interface RegistryFlagValues {
  creds?: string | undefined;
  authfile?: string | undefined;
  'tls-verify': boolean;
  'cert-dir'?: string | undefined;
  'retry-times': number;
}

/** Accept skopeo's `--tls-verify=false` besides oclif's `--no-tls-verify`. */
export function prepareRegistryArgv(
  argv: readonly string[],
  extraBooleans: readonly string[] = [],
): string[] {
  return normalizeBooleanArgv(
    argv,
    ['tls-verify', ...extraBooleans],
    ['tls-verify'],
  );
}

/** SystemContext for one registry from the environment and the flags. */
export function registrySystemContext(
  flags: RegistryFlagValues,
  base: SystemContext = copySystemContext(),
): DockerSystemContext {
  return {
    ...base,
    ...(flags.authfile !== undefined ? { authFilePath: flags.authfile } : {}),
    dockerTlsVerify: flags['tls-verify'],
    ...(flags['cert-dir'] !== undefined
      ? { dockerCertDir: flags['cert-dir'] }
      : {}),
    ...(flags.creds !== undefined
      ? { dockerCredentials: parseCreds('creds', flags.creds) }
      : {}),
    dockerRetryTimes: flags['retry-times'],
  };
}

/** A registry argument as users type it (`https://host:5000/`) reduced to host[:port][/path]. */
export function registryArgument(value: string): string {
  return value.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '');
}
