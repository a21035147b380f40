import { Args } from '@oclif/core';
import { ImgsignCommand } from '../../cli/base-command.js';
import { trustPublishOptions } from '../../cli/trust-publish.js';
import type { SignTagResult } from '../../notary/publish/docker-sign.js';
import { signImage } from '../../notary/publish/open.js';

export default class TrustSign extends ImgsignCommand {
  static override summary =
    'Sign an image tag with Docker Content Trust (like docker trust sign)';
  static override description =
    'Reads the manifest of IMAGE:TAG from its registry and adds the tag (manifest sha256 digest and size) ' +
    'to every role of its Notary repository this client holds a key for: each signer (targets/<name>) whose ' +
    'paths cover the tag, or targets itself when the repository has no signers. A repository without trust ' +
    'data is initialized first: the first local root key (or a new one), a new repository key, snapshot and ' +
    'timestamp keys held by the server, and a signer named after the registry user. Keys live in ' +
    '$DOCKER_CONFIG/trust (passphrases: DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE, ' +
    'DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE, else asked on a terminal); the server is ' +
    'DOCKER_CONTENT_TRUST_SERVER, else https://notary.docker.io for Docker Hub, else https://<registry>.';
  static override enableJsonFlag = true;
  static override examples = [
    '<%= config.bin %> trust sign example.com/team/app:1.0',
    'DOCKER_CONTENT_TRUST_SERVER=https://notary.example.com:4443 <%= config.bin %> trust sign example.com/team/app:1.0 --json',
  ];
  static override args = {
    image: Args.string({
      required: true,
      description: 'IMAGE:TAG to sign (a digest reference is refused)',
    }),
  };

  async run(): Promise<SignTagResult> {
    const { args } = await this.parse(TrustSign);
    return signImage(
      args.image,
      trustPublishOptions(
        (line) => this.log(line),
        (m) => this.logToStderr(`imgsign: warning: ${m}`),
      ),
    );
  }
}
