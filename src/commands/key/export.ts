import { Args, Flags } from '@oclif/core';
import { ImgsignCommand } from '../../cli/base-command.js';
import { signingSystemContext } from '../../cli/signing-flags.js';
import { Keyring } from '../../keys/keyring.js';
import { armorKey } from '../../signature/pgp/keys.js';

export interface KeyExportResult {
  fingerprint: string;
  secret: boolean;
  armored: string;
}

export default class KeyExport extends ImgsignCommand {
  static override summary = 'Write a key from the imgsign keyring to stdout';
  static override description =
    'Binary by default; --armor for ASCII armor. --secret exports the secret key exactly as stored (still passphrase-protected if it was).';
  static override enableJsonFlag = true;
  static override examples = [
    '<%= config.bin %> key export release@example.com --armor > release.pub.asc',
    '<%= config.bin %> key export release@example.com > release.pub.gpg',
    '<%= config.bin %> key export 0123456789ABCDEF --secret --armor > backup.asc',
  ];
  static override args = {
    id: Args.string({
      required: true,
      description: 'fingerprint, key ID, email or user ID',
    }),
  };
  static override flags = {
    secret: Flags.boolean({ description: 'export the secret key' }),
    armor: Flags.boolean({ char: 'a', description: 'ASCII-armored output' }),
  };

  async run(): Promise<KeyExportResult> {
    const { args, flags } = await this.parse(KeyExport);
    const keyring = Keyring.forSystem(signingSystemContext());
    const key = await keyring.get(args.id, { secret: flags.secret });
    const binary = flags.secret
      ? await keyring.readSecret(key.fingerprint)
      : key.publicKey;
    const armored = await armorKey(binary, flags.secret);
    if (!this.jsonEnabled()) {
      if (flags.armor) process.stdout.write(armored);
      else process.stdout.write(binary);
    }
    return { fingerprint: key.fingerprint, secret: flags.secret, armored };
  }
}
