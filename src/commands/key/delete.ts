import { Args } from '@oclif/core';
import { ImgsignCommand } from '../../cli/base-command.js';
import { signingSystemContext } from '../../cli/signing-flags.js';
import { Keyring } from '../../keys/keyring.js';
import { summarizeKey, type KeySummary } from '../../keys/summary.js';

export default class KeyDelete extends ImgsignCommand {
  static override summary =
    'Remove a key (public and secret parts) from the imgsign keyring';
  static override enableJsonFlag = true;
  static override examples = [
    '<%= config.bin %> key delete 0123456789ABCDEF0123456789ABCDEF01234567',
  ];
  static override args = {
    id: Args.string({
      required: true,
      description: 'fingerprint, key ID, email or user ID',
    }),
  };

  async run(): Promise<KeySummary> {
    const { args } = await this.parse(KeyDelete);
    const keyring = Keyring.forSystem(signingSystemContext());
    const removed = summarizeKey(await keyring.delete(args.id));
    this.log(`deleted ${removed.fingerprint}`);
    return removed;
  }
}
