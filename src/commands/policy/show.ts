import { Flags } from '@oclif/core';
import { ImgsignCommand } from '../../cli/base-command.js';
import { copySystemContext } from '../../cli/copy-flags.js';
import { loadPolicy } from '../../policy/load.js';
import {
  formatPolicyTable,
  policyRows,
  type PolicyRow,
} from '../../policy/table.js';

export interface PolicyShowResult {
  policy: string;
  rows: PolicyRow[];
}

export default class PolicyShow extends ImgsignCommand {
  static override summary =
    'Show the policy.json in effect, one row per requirement (like podman image trust show)';
  static override description =
    'Without --policy, shows the file imgsign would use: ~/.config/containers/policy.json, else /etc/containers/policy.json, else the shipped policies/default.json.';
  static override examples = [
    '<%= config.bin %> policy show',
    '<%= config.bin %> policy show --policy /etc/containers/policy.json --json',
  ];
  static override enableJsonFlag = true;
  static override flags = {
    policy: Flags.string({
      description: 'policy.json to show',
      helpValue: 'FILE',
    }),
  };

  async run(): Promise<PolicyShowResult> {
    const { flags } = await this.parse(PolicyShow);
    const home = copySystemContext().homeDir;
    const loaded = await loadPolicy({
      ...(flags.policy !== undefined ? { path: flags.policy } : {}),
      ...(home !== undefined ? { homeDir: home } : {}),
    });
    const rows = policyRows(loaded.policy);
    if (!this.jsonEnabled()) {
      this.log(`Policy: ${loaded.source}`);
      this.log(formatPolicyTable(rows));
    }
    return { policy: loaded.source, rows };
  }
}
