import { Args } from '@oclif/core';
import { ImgsignCommand } from '../cli/base-command.js';
import {
  prepareRegistryArgv,
  registryFlags,
  registrySystemContext,
} from '../cli/registry-flags.js';
import { usageError } from '../errors.js';
import {
  isNameOnly,
  parseNormalizedNamed,
  referenceName,
} from '../reference/docker-reference.js';
import { closeRegistryClients } from '../transports/docker/registry-client.js';
import { listTags } from '../transports/docker/tags.js';

/** skopeo list-tags output. */
export interface ListTagsResult {
  Repository: string;
  Tags: string[];
}

export default class ListTags extends ImgsignCommand {
  static override summary = 'List the tags of a registry repository';
  static override description =
    'Prints {"Repository": …, "Tags": […]} as skopeo list-tags does. The reference names a repository: no tag or digest.';
  static override examples = [
    '<%= config.bin %> list-tags docker://quay.io/libpod/busybox',
    '<%= config.bin %> list-tags --tls-verify=false docker://localhost:5000/ns/app',
  ];
  static override enableJsonFlag = true;
  static override flags = { ...registryFlags };
  static override args = {
    repository: Args.string({
      description: 'docker://HOST[:PORT]/PATH',
      required: true,
    }),
  };

  async run(): Promise<ListTagsResult> {
    const { args, flags } = await this.parse(
      ListTags,
      prepareRegistryArgv(this.argv),
    );
    if (!args.repository.startsWith('docker://')) {
      throw usageError(
        `list-tags: "${args.repository}" must be a docker://REPOSITORY reference`,
      );
    }
    const repo = parseNormalizedNamed(
      args.repository.slice('docker://'.length),
    );
    if (!isNameOnly(repo)) {
      throw usageError(
        `list-tags: "${args.repository}" names a tag or digest; give only the repository`,
      );
    }
    const sys = registrySystemContext(flags);
    let tags: string[];
    try {
      tags = await listTags(repo, sys);
    } finally {
      await closeRegistryClients(sys);
    }
    const result = { Repository: referenceName(repo), Tags: tags };
    if (!this.jsonEnabled()) this.log(JSON.stringify(result, null, 4));
    return result;
  }
}
