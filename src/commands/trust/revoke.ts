import { Args, Flags } from '@oclif/core';
import { ImgsignCommand } from '../../cli/base-command.js';
import {
  confirmOnTerminal,
  trustPublishOptions,
} from '../../cli/trust-publish.js';
import { ImgsignError } from '../../errors.js';
import type { RevokeResult } from '../../notary/publish/docker-revoke.js';
import { parseTrustImage, revokeImage } from '../../notary/publish/open.js';

export default class TrustRevoke extends ImgsignCommand {
  static override summary =
    'Remove Docker Content Trust signatures (like docker trust revoke)';
  static override description =
    'With a tag, removes that tag from every role of the Notary repository this client holds a key for; ' +
    'without one, removes every signed tag after asking for confirmation (-y to skip it; without a ' +
    'terminal, -y is required). Publishes the change in one update.';
  static override enableJsonFlag = true;
  static override examples = [
    '<%= config.bin %> trust revoke example.com/team/app:1.0',
    '<%= config.bin %> trust revoke -y example.com/team/app',
  ];
  static override args = {
    image: Args.string({ required: true, description: 'IMAGE[:TAG]' }),
  };
  static override flags = {
    yes: Flags.boolean({
      char: 'y',
      description: 'do not prompt for confirmation',
      default: false,
    }),
  };

  async run(): Promise<RevokeResult> {
    const { args, flags } = await this.parse(TrustRevoke);
    const { tag } = parseTrustImage(args.image, false);
    if (tag === undefined && !flags.yes) {
      const ok = await confirmOnTerminal(
        `Confirm you would like to delete all signature data for ${args.image}?`,
        '-y',
      );
      if (!ok) {
        throw new ImgsignError('USAGE', 'trust revoke has been cancelled');
      }
    }
    return revokeImage(
      args.image,
      trustPublishOptions(
        (line) => this.log(line),
        (m) => this.logToStderr(`imgsign: warning: ${m}`),
      ),
    );
  }
}
