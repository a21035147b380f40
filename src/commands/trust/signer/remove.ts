import { Args, Flags } from '@oclif/core';
import { ImgsignCommand } from '../../../cli/base-command.js';
import {
  confirmOnTerminal,
  forEachRepository,
  trustPublishOptions,
} from '../../../cli/trust-publish.js';
import { removeSignerFromRepository } from '../../../notary/publish/open.js';

export interface TrustSignerRemoveResult {
  signer: string;
  repositories: {
    repository: string;
    gun?: string;
    /** False when the confirmation was declined. */
    removed: boolean;
    error?: string;
  }[];
}

export default class TrustSignerRemove extends ImgsignCommand {
  static override summary =
    'Remove a signer from Docker Content Trust repositories (like docker trust signer remove)';
  static override description =
    "Removes the signer's keys from targets/releases and deletes its targets/NAME delegation in each " +
    'REPOSITORY. When the released tags would then no longer carry enough signatures, asks for ' +
    'confirmation first (-f to skip it; without a terminal, -f is required).';
  static override enableJsonFlag = true;
  static override strict = false;
  static override usage =
    '<%= command.id %> [-f] NAME REPOSITORY [REPOSITORY...] [--json]';
  static override examples = [
    '<%= config.bin %> trust signer remove alice example.com/team/app',
    '<%= config.bin %> trust signer remove -f alice example.com/team/app example.com/team/db',
  ];
  static override args = {
    name: Args.string({ required: true, description: 'signer name' }),
    repository: Args.string({
      required: true,
      description: 'repository (more may follow)',
    }),
  };
  static override flags = {
    force: Flags.boolean({
      char: 'f',
      description:
        'do not prompt for confirmation before removing the most recent signer',
      default: false,
    }),
  };

  async run(): Promise<TrustSignerRemoveResult> {
    const { args, argv, flags } = await this.parse(TrustSignerRemove);
    const repositories = (argv as string[]).slice(1);
    const options = trustPublishOptions(
      (line) => this.log(line),
      (m) => this.logToStderr(`imgsign: warning: ${m}`),
    );
    const result: TrustSignerRemoveResult = {
      signer: args.name,
      repositories: await forEachRepository<
        TrustSignerRemoveResult['repositories'][number]
      >(
        repositories,
        async (repository) => {
          this.log(`Removing signer "${args.name}" from ${repository}...`);
          const r = await removeSignerFromRepository(
            repository,
            args.name,
            {
              force: flags.force,
              confirm: (message) => confirmOnTerminal(message, '-f'),
            },
            options,
          );
          if (r.removed) {
            this.log(`Successfully removed ${args.name} from ${repository}\n`);
          } else {
            this.log('\nAborting action.');
          }
          return { repository, gun: r.gun, removed: r.removed };
        },
        (repository, error) => ({ repository, removed: false, error }),
        (error) => {
          if (!this.jsonEnabled()) this.logToStderr(`imgsign: ${error}\n`);
        },
        'error removing signer from',
      ),
    };
    return result;
  }
}
