import { ImgsignCommand } from '../../cli/base-command.js';
import { signingSystemContext } from '../../cli/signing-flags.js';
import { Keyring } from '../../keys/keyring.js';
import {
  formatKeyLine,
  summarizeKey,
  type KeySummary,
} from '../../keys/summary.js';

export default class KeyList extends ImgsignCommand {
  static override summary = 'List the keys in the imgsign keyring';
  static override enableJsonFlag = true;
  static override examples = [
    '<%= config.bin %> key list',
    '<%= config.bin %> key list --json',
  ];

  async run(): Promise<KeySummary[]> {
    await this.parse(KeyList);
    const keyring = Keyring.forSystem(signingSystemContext());
    const keys = (await keyring.list()).map(summarizeKey);
    for (const k of keys) this.log(formatKeyLine(k));
    return keys;
  }
}
