import { Args, Flags } from '@oclif/core';
import { existsSync } from 'node:fs';
import { ImgsignCommand } from '../../cli/base-command.js';
import { copySystemContext } from '../../cli/copy-flags.js';
import { policySearchPath } from '../../policy/load.js';
import {
  setPolicyEntry,
  type SetPolicyResult,
  type TrustType,
} from '../../policy/edit.js';

export default class PolicySet extends ImgsignCommand {
  static override summary =
    'Set the requirements for one scope of policy.json (like podman image trust set)';
  static override description = `SCOPE is "default" (the fallback for every image) or a registry scope such as registry.example.com, registry.example.com/team or registry.example.com/team/app; --transport picks another transport section. The scope's requirements are replaced; every other entry is kept. The file is checked before and after, and replaced atomically. Several --pubkeysfile give one signedBy requirement per file, all of which must be met (as podman does). Without --policy, edits ~/.config/containers/policy.json if it exists, else /etc/containers/policy.json.`;
  static override examples = [
    '<%= config.bin %> policy set --policy ./policy.json --type reject default',
    '<%= config.bin %> policy set --policy ./policy.json --type signedBy --pubkeysfile release.gpg registry.example.com/team',
    '<%= config.bin %> policy set --policy ./policy.json --type accept docker.io',
  ];
  static override enableJsonFlag = true;
  static override args = {
    scope: Args.string({
      description: '"default" or a scope (e.g. registry.example.com/team)',
      required: true,
    }),
  };
  static override flags = {
    type: Flags.string({
      char: 't',
      description: 'what to require',
      options: ['accept', 'reject', 'signedBy'],
      required: true,
    }),
    pubkeysfile: Flags.string({
      char: 'f',
      description: 'trusted keyring for signedBy (repeatable)',
      helpValue: 'FILE',
      multiple: true,
      multipleNonGreedy: true,
    }),
    policy: Flags.string({
      description: 'policy.json to edit',
      helpValue: 'FILE',
    }),
    transport: Flags.string({
      description: 'transport section to edit',
      default: 'docker',
    }),
  };

  async run(): Promise<SetPolicyResult> {
    const { args, flags } = await this.parse(PolicySet);
    let path = flags.policy;
    if (path === undefined) {
      const home = copySystemContext().homeDir;
      const [user, system] = policySearchPath(
        home !== undefined ? { homeDir: home } : {},
      );
      path =
        home !== undefined && user && existsSync(user)
          ? user
          : (system ?? '/etc/containers/policy.json');
    }
    const result = await setPolicyEntry(path, {
      scope: args.scope,
      type: flags.type as TrustType,
      pubKeysFiles: flags.pubkeysfile ?? [],
      transport: flags.transport,
    });
    if (!this.jsonEnabled()) {
      const where =
        result.scope === 'default'
          ? 'default'
          : `transports.${flags.transport}["${result.scope}"]`;
      this.log(
        `${result.created ? 'Created' : 'Updated'} ${result.path}: ${where} = ${JSON.stringify(result.requirements)}`,
      );
    }
    return result;
  }
}
