import { Args, Flags } from '@oclif/core';
import { ImgsignCommand } from '../../../cli/base-command.js';
import {
  forEachRepository,
  trustPublishOptions,
} from '../../../cli/trust-publish.js';
import { addSignerToRepository } from '../../../notary/publish/open.js';
import {
  readSignerPublicKeys,
  validateSignerName,
} from '../../../notary/publish/public-key-files.js';

export interface TrustSignerAddResult {
  signer: string;
  repositories: {
    repository: string;
    gun?: string;
    /** This command created the repository's trust data. */
    initialized?: boolean;
    error?: string;
  }[];
}

export default class TrustSignerAdd extends ImgsignCommand {
  static override summary =
    'Add a signer to Docker Content Trust repositories (like docker trust signer add)';
  static override description =
    'Delegates targets/NAME to the given public keys (PEM PUBLIC KEY, e.g. from `trust key generate`, or a ' +
    'CERTIFICATE) and adds the same keys to targets/releases, in each REPOSITORY. A repository without trust ' +
    'data is initialized first (root key reused or created, server-held snapshot and timestamp keys). NAME: ' +
    'lowercase letters, digits, "-" and "_", starting with a letter or digit; not "releases".';
  static override enableJsonFlag = true;
  static override strict = false;
  static override usage =
    '<%= command.id %> --key PATH [--key PATH...] NAME REPOSITORY [REPOSITORY...] [--json]';
  static override examples = [
    '<%= config.bin %> trust signer add --key alice.pub alice example.com/team/app',
    '<%= config.bin %> trust signer add --key a1.pub --key a2.pub alice example.com/team/app example.com/team/db',
  ];
  static override args = {
    name: Args.string({ required: true, description: 'signer name' }),
    repository: Args.string({
      required: true,
      description: 'repository (more may follow)',
    }),
  };
  static override flags = {
    key: Flags.string({
      description: "path to the signer's public key file (repeatable)",
      multiple: true,
      multipleNonGreedy: true,
      helpValue: 'PATH',
    }),
  };

  async run(): Promise<TrustSignerAddResult> {
    const { args, argv, flags } = await this.parse(TrustSignerAdd);
    const repositories = (argv as string[]).slice(1);
    validateSignerName(args.name);
    const options = trustPublishOptions(
      (line) => this.log(line),
      (m) => this.logToStderr(`imgsign: warning: ${m}`),
    );
    const keys = await readSignerPublicKeys(
      flags.key ?? [],
      options.sys.now?.() ?? new Date(),
    );
    const result: TrustSignerAddResult = {
      signer: args.name,
      repositories: await forEachRepository<
        TrustSignerAddResult['repositories'][number]
      >(
        repositories,
        async (repository) => {
          this.log(`Adding signer "${args.name}" to ${repository}...`);
          const r = await addSignerToRepository(
            repository,
            args.name,
            keys,
            options,
          );
          this.log(
            `Successfully added signer: ${args.name} to ${repository}\n`,
          );
          return { repository, gun: r.gun, initialized: r.initialized };
        },
        (repository, error) => ({ repository, error }),
        (error) => {
          if (!this.jsonEnabled()) this.logToStderr(`imgsign: ${error}\n`);
        },
        'failed to add signer to',
      ),
    };
    return result;
  }
}
