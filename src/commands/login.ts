import { Args, Flags } from '@oclif/core';
import { ImgsignCommand } from '../cli/base-command.js';
import {
  prepareRegistryArgv,
  registryArgument,
  registryFlags,
  registrySystemContext,
} from '../cli/registry-flags.js';
import { usageError } from '../errors.js';
import { storeCredentials } from '../auth/login.js';
import { getRegistryClient } from '../transports/docker/registry-client.js';

export interface LoginResult {
  registry: string;
  authFile: string;
}

export default class Login extends ImgsignCommand {
  static override summary = 'Log in to a container registry';
  static override description =
    'Checks the credentials against the registry (GET /v2/, with a bearer token when the registry asks for one), then stores them in the auth file (--authfile, else ${XDG_RUNTIME_DIR}/containers/auth.json), written atomically with mode 0600.';
  static override examples = [
    'printf %s "$PASSWORD" | <%= config.bin %> login -u alice --password-stdin registry.example.com',
    '<%= config.bin %> login --tls-verify=false -u alice --password-stdin localhost:5000 < pass.txt',
  ];
  static override enableJsonFlag = true;
  static override flags = {
    username: Flags.string({ char: 'u', description: 'User name' }),
    password: Flags.string({
      char: 'p',
      description: 'Password (visible to other users: prefer --password-stdin)',
    }),
    'password-stdin': Flags.boolean({
      description: 'Read the password from standard input',
      default: false,
    }),
    authfile: registryFlags.authfile,
    'tls-verify': registryFlags['tls-verify'],
    'cert-dir': registryFlags['cert-dir'],
    'retry-times': registryFlags['retry-times'],
  };
  static override args = {
    registry: Args.string({
      description: 'registry host[:port]',
      required: true,
    }),
  };

  async run(): Promise<LoginResult> {
    const { args, flags } = await this.parse(
      Login,
      prepareRegistryArgv(this.argv, ['password-stdin']),
    );
    const registry = registryArgument(args.registry);
    if (!flags.username) throw usageError('login: --username (-u) is required');
    if (flags['password-stdin'] && flags.password !== undefined) {
      throw usageError('login: use either --password or --password-stdin');
    }
    const password = flags['password-stdin']
      ? await readStdin()
      : flags.password;
    if (password === undefined || password === '') {
      throw usageError('login: give the password with --password-stdin');
    }
    const credentials = { username: flags.username, password };
    const sys = registrySystemContext(flags);
    const host = registry.split('/')[0] ?? registry;
    const client = getRegistryClient({
      registry: host,
      sys,
      tlsVerify: flags['tls-verify'],
      ...(flags['cert-dir'] ? { certDir: flags['cert-dir'] } : {}),
      credentials,
      retryTimes: flags['retry-times'],
    });
    try {
      await client.ping();
      await client.checkAuth();
    } finally {
      await client.close();
    }
    const authFile = await storeCredentials(sys, registry, credentials);
    if (!this.jsonEnabled()) this.log('Login Succeeded!');
    return { registry, authFile };
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > 64 * 1024)
      throw usageError('login: password on stdin is longer than 64 KiB');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}
