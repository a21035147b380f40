import { Flags } from '@oclif/core';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { usageError } from '../errors.js';
import type { PlatformChoice } from '../manifest/platform.js';
import type { SystemContext } from '../system-context.js';

/**
 * `imgsign copy` flags, named as skopeo's. Signing flags (--sign-by …) are
 * added beside these by cli/signing-flags.ts. Boolean flags also accept
 * skopeo's `--flag=false` form through cli/bool-argv.ts: every boolean flag
 * here is listed in COPY_BOOLEAN_FLAGS for that reason.
 */
export const copyFlags = {
  all: Flags.boolean({
    char: 'a',
    description:
      'Copy every image of a manifest list and the list itself (default: the image for the current platform)',
    default: false,
  }),
  'override-os': Flags.string({
    description: 'Use OS instead of the running OS to choose an image',
    helpValue: 'OS',
  }),
  'override-arch': Flags.string({
    description:
      'Use ARCH instead of the architecture of the machine to choose an image',
    helpValue: 'ARCH',
  }),
  'override-variant': Flags.string({
    description:
      'Use VARIANT instead of the running variant to choose an image',
    helpValue: 'VARIANT',
  }),
  format: Flags.string({
    char: 'f',
    description:
      'Manifest type at the destination (converting changes the digest)',
    options: ['oci', 'v2s2'],
  }),
  'remove-signatures': Flags.boolean({
    description: 'Do not copy signatures from the source image',
    default: false,
  }),
  'src-creds': Flags.string({
    description: 'Credentials for the source registry',
    helpValue: 'USERNAME[:PASSWORD]',
  }),
  'dest-creds': Flags.string({
    description: 'Credentials for the destination registry',
    helpValue: 'USERNAME[:PASSWORD]',
  }),
  authfile: Flags.string({
    description:
      'Registry auth file (default ${XDG_RUNTIME_DIR}/containers/auth.json)',
    helpValue: 'PATH',
  }),
  'src-authfile': Flags.string({
    description: 'Auth file for the source registry (overrides --authfile)',
    helpValue: 'PATH',
  }),
  'dest-authfile': Flags.string({
    description:
      'Auth file for the destination registry (overrides --authfile)',
    helpValue: 'PATH',
  }),
  'src-tls-verify': Flags.boolean({
    description:
      'Require HTTPS and verify certificates for the source registry',
    default: true,
    allowNo: true,
  }),
  'dest-tls-verify': Flags.boolean({
    description:
      'Require HTTPS and verify certificates for the destination registry',
    default: true,
    allowNo: true,
  }),
  'src-cert-dir': Flags.string({
    description: 'Certificates (*.crt, *.cert, *.key) for the source registry',
    helpValue: 'DIR',
  }),
  'dest-cert-dir': Flags.string({
    description:
      'Certificates (*.crt, *.cert, *.key) for the destination registry',
    helpValue: 'DIR',
  }),
  'retry-times': Flags.integer({
    description: 'Retry a failed blob or registry request this many times',
    default: 0,
    min: 0,
  }),
  quiet: Flags.boolean({
    char: 'q',
    description: 'Print nothing but errors',
    default: false,
  }),
  jobs: Flags.integer({
    description: 'Blobs copied in parallel',
    default: 6,
    min: 1,
    max: 64,
  }),
  policy: Flags.string({
    description:
      'policy.json the source must satisfy (default: ~/.config/containers/policy.json, /etc/containers/policy.json, the shipped default)',
    helpValue: 'FILE',
  }),
  'insecure-policy': Flags.boolean({
    description: 'Accept any source image without consulting a policy',
    default: false,
  }),
  'registries.d': Flags.string({
    description: 'registries.d directory (where registry signatures live)',
    helpValue: 'DIR',
  }),
  'dry-run': Flags.boolean({
    description:
      'Report what would be copied (digest kept or changed, signatures that travel) without writing',
    default: false,
  }),
};

export const COPY_BOOLEAN_FLAGS = [
  'all',
  'remove-signatures',
  'src-tls-verify',
  'dest-tls-verify',
  'quiet',
  'dry-run',
  'insecure-policy',
];
export const COPY_NEGATABLE_FLAGS = ['src-tls-verify', 'dest-tls-verify'];

export interface CopyFlagValues {
  all: boolean;
  'override-os'?: string | undefined;
  'override-arch'?: string | undefined;
  'override-variant'?: string | undefined;
  format?: string | undefined;
  'remove-signatures': boolean;
  'src-creds'?: string | undefined;
  'dest-creds'?: string | undefined;
  authfile?: string | undefined;
  'src-authfile'?: string | undefined;
  'dest-authfile'?: string | undefined;
  'src-tls-verify': boolean;
  'dest-tls-verify': boolean;
  'src-cert-dir'?: string | undefined;
  'dest-cert-dir'?: string | undefined;
  'retry-times': number;
}

/** `USERNAME[:PASSWORD]` as skopeo parses --creds (an empty username is an error). */
export function parseCreds(
  flag: string,
  value: string,
): { username: string; password: string } {
  const colon = value.indexOf(':');
  const username = colon < 0 ? value : value.slice(0, colon);
  const password = colon < 0 ? '' : value.slice(colon + 1);
  if (username === '') {
    throw usageError(`--${flag}: the username must not be empty`);
  }
  return { username, password };
}

export function platformChoice(flags: CopyFlagValues): PlatformChoice {
  const p: PlatformChoice = {};
  if (flags['override-os']) p.os = flags['override-os'];
  if (flags['override-arch']) p.arch = flags['override-arch'];
  if (flags['override-variant']) p.variant = flags['override-variant'];
  return p;
}

/**
 * One side's SystemContext: the registry fields the docker:// transport
 * reads (see transports/docker/docker-system-context.ts), from --src-* or
 * --dest-*. Other transports ignore them.
 */
export function sideSystemContext(
  base: SystemContext,
  flags: CopyFlagValues,
  side: 'src' | 'dest',
): SystemContext {
  const creds = flags[`${side}-creds`];
  const authfile = flags[`${side}-authfile`] ?? flags.authfile;
  const certDir = flags[`${side}-cert-dir`];
  return {
    ...base,
    ...(authfile !== undefined ? { authFilePath: authfile } : {}),
    dockerTlsVerify: flags[`${side}-tls-verify`],
    ...(certDir !== undefined ? { dockerCertDir: certDir } : {}),
    ...(creds !== undefined
      ? { dockerCredentials: parseCreds(`${side}-creds`, creds) }
      : {}),
    dockerRetryTimes: flags['retry-times'],
  } as SystemContext;
}

/** The environment-derived parts of SystemContext a copy needs (only cli/ reads env). */
export function copySystemContext(
  env: NodeJS.ProcessEnv = process.env,
): SystemContext {
  const home = env['HOME'] || homedir();
  const sys: SystemContext = {
    homeDir: home,
    isRoot: process.getuid?.() === 0,
    dockerConfigDir: env['DOCKER_CONFIG'] || join(home, '.docker'),
  };
  if (env['XDG_RUNTIME_DIR']) sys.xdgRuntimeDir = env['XDG_RUNTIME_DIR'];
  if (env['REGISTRY_AUTH_FILE']) sys.authFilePath = env['REGISTRY_AUTH_FILE'];
  if (env['DOCKER_HOST']) sys.dockerHost = env['DOCKER_HOST'];
  return sys;
}

/** `--disable-content-trust` (docker's name): with `=false` it turns trust on. */
export const contentTrustFlags = {
  'disable-content-trust': Flags.boolean({
    description:
      'Skip Docker Content Trust (default: on when DOCKER_CONTENT_TRUST is set to a true value); --disable-content-trust=false turns it on',
    allowNo: true,
    helpGroup: 'CONTENT TRUST',
  }),
};
export const CONTENT_TRUST_BOOLEAN_FLAGS = ['disable-content-trust'];

/**
 * DOCKER_CONTENT_TRUST as docker reads it (SPEC §7.10): on when set,
 * non-empty and either a true boolean (Go strconv.ParseBool: 1, t, T,
 * TRUE, true, True) or not a boolean at all (`yes`, `on`); off for unset,
 * empty, 0, f, F, FALSE, false, False. `--disable-content-trust[=bool]`
 * overrides it when given.
 */
export function contentTrustEnabled(
  env: NodeJS.ProcessEnv = process.env,
  disableFlag?: boolean,
): boolean {
  if (disableFlag !== undefined) return !disableFlag;
  const value = env['DOCKER_CONTENT_TRUST'];
  if (value === undefined || value === '') return false;
  return !['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value);
}
