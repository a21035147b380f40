import { Flags } from '@oclif/core';
import { ImgsignCommand } from '../../cli/base-command.js';
import {
  passphraseFlags,
  signingSystemContext,
} from '../../cli/signing-flags.js';
import { readPassphrase } from '../../cli/passphrase.js';
import { generateKey } from '../../keys/generate.js';
import { Keyring } from '../../keys/keyring.js';
import {
  formatKeyLine,
  summarizeKey,
  type KeySummary,
} from '../../keys/summary.js';

export default class KeyGenerate extends ImgsignCommand {
  static override summary = 'Create a signing key in the imgsign keyring';
  static override description =
    'Ed25519 by default (rsa4096 for old verifiers). Without a passphrase flag the secret key is stored unprotected (mode 0600), which suits CI. ' +
    'The keyring is $IMGSIGN_HOME, else $XDG_DATA_HOME/imgsign or ~/.local/share/imgsign.';
  static override enableJsonFlag = true;
  static override examples = [
    '<%= config.bin %> key generate --name "Release bot" --email release@example.com',
    '<%= config.bin %> key generate --name Me --email me@example.com --type rsa4096 --passphrase-file pw.txt',
  ];
  static override flags = {
    name: Flags.string({ required: true, description: 'user ID name' }),
    email: Flags.string({ required: true, description: 'user ID email' }),
    type: Flags.string({
      options: ['ed25519', 'rsa4096'],
      default: 'ed25519',
      description: 'key algorithm',
    }),
    ...passphraseFlags,
  };

  async run(): Promise<KeySummary> {
    const { flags } = await this.parse(KeyGenerate);
    const passphrase = await readPassphrase({
      ...(flags['sign-passphrase-file'] !== undefined
        ? { file: flags['sign-passphrase-file'] }
        : {}),
      ...(flags['passphrase-fd'] !== undefined
        ? { fd: flags['passphrase-fd'] }
        : {}),
      ...(flags['passphrase-env'] !== undefined
        ? { env: flags['passphrase-env'] }
        : {}),
    });
    const keyring = Keyring.forSystem(signingSystemContext());
    const entry = await generateKey(keyring, {
      name: flags.name,
      email: flags.email,
      type: flags.type === 'rsa4096' ? 'rsa4096' : 'ed25519',
      ...(passphrase ? { passphrase } : {}),
    });
    const summary = summarizeKey(entry);
    this.log(formatKeyLine(summary));
    return summary;
  }
}
