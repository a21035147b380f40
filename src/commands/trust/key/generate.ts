import { Args, Flags } from '@oclif/core';
import { ImgsignCommand } from '../../../cli/base-command.js';
import {
  trustDirectory,
  trustPassphraseRetriever,
} from '../../../cli/trust-env.js';
import {
  generateSignerKey,
  type GeneratedSignerKey,
  validateKeyName,
} from '../../../notary/keystore/signer-keys.js';
import { TrustKeyStore } from '../../../notary/keystore/store.js';

export default class TrustKeyGenerate extends ImgsignCommand {
  static override summary =
    'Generate a signing key for Docker Content Trust (like docker trust key generate)';
  static override description =
    'Creates a P-256 ECDSA key in the trust directory ($DOCKER_CONFIG/trust or ~/.docker/trust) under role NAME, ' +
    'encrypted with the passphrase from DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE (or asked on a terminal), ' +
    'and writes the public key to NAME.pub for `trust signer add`.';
  static override enableJsonFlag = true;
  static override examples = [
    '<%= config.bin %> trust key generate alice',
    'DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE=… <%= config.bin %> trust key generate alice --dir ~/keys --json',
  ];
  static override args = {
    name: Args.string({
      required: true,
      description:
        'key name: lowercase letters, digits, "-" and "_", starting with a letter or digit',
    }),
  };
  static override flags = {
    dir: Flags.string({
      description: 'directory for NAME.pub (default: the current directory)',
    }),
  };

  async run(): Promise<GeneratedSignerKey> {
    const { args, flags } = await this.parse(TrustKeyGenerate);
    validateKeyName(args.name);
    const store = await TrustKeyStore.open(trustDirectory());
    const result = await generateSignerKey(store, {
      name: args.name,
      dir: flags.dir ?? process.cwd(),
      passphrase: trustPassphraseRetriever(),
      onStart: () => this.log(`Generating key for ${args.name}...`),
    });
    this.log(
      `Successfully generated and loaded private key. Corresponding public key available: ${result.publicKeyFile}`,
    );
    return result;
  }
}
