import { Args } from '@oclif/core';
import { ImgsignCommand } from '../cli/base-command.js';
import {
  prepareRegistryArgv,
  registryFlags,
  registrySystemContext,
} from '../cli/registry-flags.js';
import { usageError } from '../errors.js';
import { referenceName } from '../reference/docker-reference.js';
import { deleteImage } from '../transports/docker/delete-image.js';
import { dockerTransport } from '../transports/docker/docker-transport.js';
import { closeRegistryClients } from '../transports/docker/registry-client.js';

export interface DeleteResult {
  image: string;
  digest: string;
}

export default class Delete extends ImgsignCommand {
  static override summary = 'Delete an image from a registry';
  static override description =
    'Resolves a tag to its manifest digest and deletes that manifest (every tag pointing at it goes too), as skopeo delete. The registry must allow deletes.';
  static override examples = [
    '<%= config.bin %> delete docker://registry.example.com/ns/app:old',
    '<%= config.bin %> delete --tls-verify=false docker://localhost:5000/ns/app@sha256:…',
  ];
  static override enableJsonFlag = true;
  static override flags = { ...registryFlags };
  static override args = {
    image: Args.string({
      description: 'docker://HOST[:PORT]/PATH:TAG or @DIGEST',
      required: true,
    }),
  };

  async run(): Promise<DeleteResult> {
    const { args, flags } = await this.parse(
      Delete,
      prepareRegistryArgv(this.argv),
    );
    if (!args.image.startsWith('docker:')) {
      throw usageError(
        `delete: "${args.image}" must be a docker:// reference (only registries support delete)`,
      );
    }
    const ref = dockerTransport.parseReference(
      args.image.slice('docker:'.length),
    );
    const sys = registrySystemContext(flags);
    let digest: string;
    try {
      ({ digest } = await deleteImage(ref, sys));
    } finally {
      await closeRegistryClients(sys);
    }
    const image = referenceName(ref.ref);
    if (!this.jsonEnabled()) this.log(`Deleted ${image}@${digest}`);
    return { image, digest };
  }
}
