import { Args, Flags } from '@oclif/core';
import { ImgsignCommand } from '../../cli/base-command.js';
import { copySystemContext } from '../../cli/copy-flags.js';
import { trustDirectory } from '../../cli/trust-env.js';
import { trustServerOverride } from '../../cli/trust-server.js';
import { describeError, TrustError } from '../../errors.js';
import { inspectImageTrust } from '../../notary/inspect.js';
import { notaryServerURL } from '../../notary/repository.js';
import {
  dockerTrustRepo,
  formatTrustInspectJSON,
  formatTrustInspectPretty,
  type DockerTrustRepo,
} from '../../notary/inspect-format.js';

export interface TrustInspectResult {
  /** docker's JSON elements of the images that could be inspected. */
  repositories: DockerTrustRepo[];
}

export default class TrustInspect extends ImgsignCommand {
  static override summary =
    'Show the Docker Content Trust signatures of images (like docker trust inspect)';
  static override description =
    'Reads and verifies the Notary trust data of each IMAGE from its notary server ' +
    '(DOCKER_CONTENT_TRUST_SERVER, else https://notary.docker.io for Docker Hub, else https://<registry>), ' +
    'caching it in $DOCKER_CONFIG/trust/tuf/, and prints what docker trust inspect prints: a JSON array ' +
    '(4-space indent; [] when no image could be read) or, with --pretty, the signed tags, signers and ' +
    'administrative keys. With a tag, only that tag is shown. Exits 1 if any image could not be inspected.';
  static override enableJsonFlag = true;
  static override strict = false;
  static override examples = [
    '<%= config.bin %> trust inspect docker.io/library/busybox',
    '<%= config.bin %> trust inspect --pretty example.com/team/app:1.0',
    'DOCKER_CONTENT_TRUST_SERVER=https://notary.example.com:4443 <%= config.bin %> trust inspect example.com/a example.com/b',
  ];
  static override args = {
    image: Args.string({
      required: true,
      description: 'image reference: NAME[:TAG] (more may follow)',
    }),
  };
  static override flags = {
    pretty: Flags.boolean({
      description: 'print a human-readable table instead of JSON',
      default: false,
    }),
  };

  async run(): Promise<TrustInspectResult> {
    const { argv, flags } = await this.parse(TrustInspect);
    const images = argv as string[];
    const sys = copySystemContext();
    const serverOverride = trustServerOverride();
    // A bad DOCKER_CONTENT_TRUST_SERVER is a usage error, not a per-image failure.
    if (serverOverride !== undefined) notaryServerURL('', serverOverride);
    const options = {
      trustDir: trustDirectory(),
      sys,
      ...(serverOverride !== undefined ? { serverOverride } : {}),
      warn: (m: string) => this.logToStderr(`imgsign: warning: ${m}`),
    };
    const quiet = this.jsonEnabled();
    const repositories: DockerTrustRepo[] = [];
    const errors: unknown[] = [];
    for (const [i, image] of images.entries()) {
      try {
        const data = await inspectImageTrust(image, options);
        repositories.push(dockerTrustRepo(image, data));
        if (flags.pretty && !quiet) {
          const sep = i < images.length - 1 ? '\n\n' : '';
          process.stdout.write(formatTrustInspectPretty(image, data) + sep);
        }
      } catch (err) {
        errors.push(err);
        // docker --pretty stops at the first image it cannot inspect.
        if (flags.pretty) break;
      }
    }
    if (!flags.pretty && !quiet) {
      process.stdout.write(formatTrustInspectJSON(repositories));
    }
    if (errors.length === 1 && errors[0] instanceof TrustError) throw errors[0];
    if (errors.length > 0) {
      throw new TrustError(
        errors[0] instanceof TrustError ? errors[0].failure : 'not-found',
        errors.map(describeError).join('; '),
        { cause: errors[0] },
      );
    }
    return { repositories };
  }
}
