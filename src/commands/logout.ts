import { Args, Flags } from '@oclif/core';
import { ImgsignCommand } from '../cli/base-command.js';
import {
  registryArgument,
  registryFlags,
  registrySystemContext,
} from '../cli/registry-flags.js';
import { removeCredentials } from '../auth/login.js';

export interface LogoutResult {
  registry: string | null;
  authFile: string;
}

export default class Logout extends ImgsignCommand {
  static override summary = 'Remove stored credentials for a registry';
  static override description =
    'Deletes the registry entry from the auth file (--authfile, else ${XDG_RUNTIME_DIR}/containers/auth.json). Credentials in ~/.docker/config.json or credential helpers are left alone.';
  static override examples = [
    '<%= config.bin %> logout registry.example.com',
    '<%= config.bin %> logout --all',
  ];
  static override enableJsonFlag = true;
  static override flags = {
    all: Flags.boolean({
      char: 'a',
      description: 'Remove the credentials of every registry',
      default: false,
    }),
    authfile: registryFlags.authfile,
  };
  static override args = {
    registry: Args.string({ description: 'registry host[:port]' }),
  };

  async run(): Promise<LogoutResult> {
    const { args, flags } = await this.parse(Logout);
    const registry =
      args.registry !== undefined ? registryArgument(args.registry) : undefined;
    const sys = registrySystemContext({
      authfile: flags.authfile,
      'tls-verify': true,
      'retry-times': 0,
    });
    const authFile = await removeCredentials(sys, registry, { all: flags.all });
    if (!this.jsonEnabled()) {
      this.log(
        flags.all
          ? 'Removed login credentials for all registries'
          : `Removed login credentials for ${registry}`,
      );
    }
    return { registry: registry ?? null, authFile };
  }
}
