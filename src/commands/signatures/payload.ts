import { Args, Flags } from '@oclif/core';
import { ImgsignCommand } from '../../cli/base-command.js';
import {
  signaturesArgv,
  signaturesFlags,
  signaturesSystemContext,
} from '../../cli/signatures-flags.js';
import {
  signatureContext,
  readImageManifest,
} from '../../signatures/image-signatures.js';
import { signingIdentity, signingPayload } from '../../signatures/payload.js';
import { parseImageName } from '../../transports/all.js';
import { transportString } from '../../transports/types.js';

export interface SignaturesPayloadResult {
  image: string;
  digest: string;
  identity: string;
  /** The claims exactly as printed without --json. */
  payload: string;
}

export default class SignaturesPayload extends ImgsignCommand {
  static override summary =
    'Print the exact claims to sign for an image, for offline or external signers (HSM, KMS, air-gapped gpg)';
  static override description =
    "Prints, without a trailing newline, the simple signing claims (SPEC §1.1) for the current manifest digest of IMAGE, claiming --identity or else the image's own docker reference (which must have a tag or digest). Sign these bytes as an OpenPGP signed message (e.g. `gpg --sign`, binary, not armored or detached) and store the result with `imgsign signatures attach`.";
  static override examples = [
    '<%= config.bin %> signatures payload docker://registry.example.com/team/app:1.0 > claims.json && gpg --sign --local-user dev@example.com -o app.sig claims.json && <%= config.bin %> signatures attach docker://registry.example.com/team/app:1.0 app.sig',
    '<%= config.bin %> signatures payload dir:/tmp/app --identity registry.example.com/team/app:1.0 --json',
  ];
  static override enableJsonFlag = true;
  static override flags = {
    ...signaturesFlags,
    identity: Flags.string({
      description:
        'Docker reference the signature claims (default: the image reference; needs a tag or digest)',
      helpValue: 'REFERENCE',
    }),
  };
  static override args = {
    image: Args.string({
      description: 'image (transport:reference)',
      required: true,
    }),
  };

  async run(): Promise<SignaturesPayloadResult> {
    const { args, flags } = await this.parse(
      SignaturesPayload,
      signaturesArgv(this.argv),
    );
    const ref = parseImageName(args.image);
    const identity = signingIdentity(ref, flags.identity);
    const ctx = signatureContext(signaturesSystemContext(flags));
    try {
      const { digest } = await readImageManifest(ref, ctx.sys);
      const p = signingPayload(digest, identity);
      if (!this.jsonEnabled()) process.stdout.write(p.payload);
      return {
        image: transportString(ref),
        digest,
        identity,
        payload: p.payload.toString('utf8'),
      };
    } finally {
      await ctx.done();
    }
  }
}
