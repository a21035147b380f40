import { Args } from '@oclif/core';
import { ImgsignCommand } from '../cli/base-command.js';
import { readBoundedFile } from '../keys/files.js';
import { MAX_SIGNATURE_BYTES } from '../signature/blob.js';
import { parseClaims } from '../signature/payload.js';
import { untrustedSignatureContents } from '../signature/pgp/untrusted.js';

/** Field names as skopeo prints them. */
export interface UntrustedSignatureDumpResult {
  UntrustedDockerManifestDigest: string;
  UntrustedDockerReference: string;
  UntrustedCreatorID?: string;
  UntrustedTimestamp?: string;
  UntrustedShortKeyIdentifier: string;
}

export default class UntrustedSignatureDump extends ImgsignCommand {
  static override summary =
    'Show the claims of a signature WITHOUT verifying it (for debugging only)';
  static override description =
    'Nothing printed here is verified: do not base any trust decision on it.';
  static override enableJsonFlag = true;
  static override examples = [
    '<%= config.bin %> untrusted-signature-dump-without-verification signature-1',
  ];
  static override args = {
    signature: Args.string({ required: true, description: 'signature file' }),
  };

  async run(): Promise<UntrustedSignatureDumpResult> {
    const { args } = await this.parse(UntrustedSignatureDump);
    const blob = await readBoundedFile(
      args.signature,
      MAX_SIGNATURE_BYTES,
      'signature',
      'signature',
    );
    const untrusted = untrustedSignatureContents(blob);
    const claims = parseClaims(untrusted.contents);
    const dump: UntrustedSignatureDumpResult = {
      UntrustedDockerManifestDigest: claims.dockerManifestDigest,
      UntrustedDockerReference: claims.dockerReference,
      ...(claims.creator !== undefined
        ? { UntrustedCreatorID: claims.creator }
        : {}),
      ...(claims.timestamp !== undefined
        ? {
            UntrustedTimestamp: new Date(claims.timestamp * 1000)
              .toISOString()
              .replace('.000Z', 'Z'),
          }
        : {}),
      UntrustedShortKeyIdentifier: untrusted.shortKeyIdentifier,
    };
    this.log(JSON.stringify(dump, null, 4));
    return dump;
  }
}
