import { Args } from '@oclif/core';
import { ImgsignCommand } from '../cli/base-command.js';
import { readBoundedFile } from '../keys/files.js';
import { manifestDigest } from '../manifest/digest.js';
import { MAX_MANIFEST_BYTES } from '../manifest/media-types.js';

export interface ManifestDigestResult {
  digest: string;
}

export default class ManifestDigest extends ImgsignCommand {
  static override summary =
    'Print the digest of a manifest file (signed schema1 manifests without their JWS)';
  static override enableJsonFlag = true;
  static override examples = [
    '<%= config.bin %> manifest-digest manifest.json',
  ];
  static override args = {
    manifest: Args.string({ required: true, description: 'manifest file' }),
  };

  async run(): Promise<ManifestDigestResult> {
    const { args } = await this.parse(ManifestDigest);
    const bytes = await readBoundedFile(
      args.manifest,
      MAX_MANIFEST_BYTES,
      'manifest',
    );
    const digest = manifestDigest(bytes);
    this.log(digest);
    return { digest };
  }
}
