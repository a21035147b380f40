import { Args, Flags } from '@oclif/core';
import { ImgsignCommand } from '../../../cli/base-command.js';
import {
  trustDirectory,
  trustPassphraseRetriever,
} from '../../../cli/trust-env.js';
import {
  loadSignerKey,
  type LoadedSignerKey,
  validateKeyName,
} from '../../../notary/keystore/signer-keys.js';
import { TrustKeyStore } from '../../../notary/keystore/store.js';

export default class TrustKeyLoad extends ImgsignCommand {
  static override summary =
    'Load a private key file for signing (like docker trust key load)';
  static override description =
    'Imports a PEM private key (PKCS#8, encrypted or not, or an EC/RSA key) into the trust directory ' +
    '($DOCKER_CONFIG/trust or ~/.docker/trust) under role NAME. The file must not be readable or writable by group or others. ' +
    'An encrypted file is decrypted, and the stored copy encrypted, with DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE (or asked on a terminal).';
  static override enableJsonFlag = true;
  static override examples = [
    '<%= config.bin %> trust key load alice.pem',
    '<%= config.bin %> trust key load --name alice alice.pem --json',
  ];
  static override args = {
    file: Args.string({ required: true, description: 'private key file' }),
  };
  static override flags = {
    name: Flags.string({
      default: 'signer',
      description: 'name (role) for the loaded key',
    }),
  };

  async run(): Promise<LoadedSignerKey> {
    const { args, flags } = await this.parse(TrustKeyLoad);
    validateKeyName(flags.name);
    const store = await TrustKeyStore.open(trustDirectory());
    this.log(`Loading key from "${args.file}"...`);
    const result = await loadSignerKey(store, {
      file: args.file,
      name: flags.name,
      passphrase: trustPassphraseRetriever(),
    });
    this.log(`Successfully imported key from ${args.file}`);
    return result;
  }
}
