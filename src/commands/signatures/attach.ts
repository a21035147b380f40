import { Args } from '@oclif/core';
import { ImgsignCommand } from '../../cli/base-command.js';
import {
  signaturesArgv,
  signaturesFlags,
  signaturesSystemContext,
} from '../../cli/signatures-flags.js';
import { readBoundedFile } from '../../keys/files.js';
import { MAX_SIGNATURE_BYTES } from '../../signature/blob.js';
import { attachSignature, type AttachResult } from '../../signatures/attach.js';
import { signatureContext } from '../../signatures/image-signatures.js';
import { loadKnownKeys } from '../../signatures/known-keys.js';
import { parseImageName } from '../../transports/all.js';
import { publicKeyFileFlag } from '../../cli/public-key-file-flag.js';

export default class SignaturesAttach extends ImgsignCommand {
  static override summary =
    'Store a signature made elsewhere for an image, where copy --sign-by would';
  static override description =
    "SIGNATURE-FILE must be a binary simple signing signature (an OpenPGP signed message over the claims of `imgsign signatures payload`) whose claims name the image's current manifest digest. When the signer's key is in the imgsign keyring or a --public-key-file, the signature must verify with it. docker:// images: the registry's signature extension API, else the registries.d lookaside (lookaside-staging); dir: images: the next free signature-N.";
  static override examples = [
    '<%= config.bin %> signatures attach docker://registry.example.com/team/app:1.0 app.sig',
    '<%= config.bin %> signatures attach dir:/tmp/app app.sig --public-key-file signer.asc --json',
  ];
  static override enableJsonFlag = true;
  static override flags = {
    ...signaturesFlags,
    'public-key-file': publicKeyFileFlag(
      'public key(s) of the expected signer; the signature must verify',
    ),
  };
  static override args = {
    image: Args.string({
      description: 'image (transport:reference)',
      required: true,
    }),
    signature: Args.string({
      description: 'signature file (binary OpenPGP signed message)',
      required: true,
    }),
  };

  async run(): Promise<AttachResult> {
    const { args, flags } = await this.parse(
      SignaturesAttach,
      signaturesArgv(this.argv),
    );
    const ref = parseImageName(args.image);
    const signature = await readBoundedFile(
      args.signature,
      MAX_SIGNATURE_BYTES,
      'signature file',
      'signature',
    );
    const ctx = signatureContext(signaturesSystemContext(flags));
    try {
      const keys = await loadKnownKeys(flags['public-key-file'] ?? [], ctx.sys);
      const r = await attachSignature(ref, signature, keys, ctx.sys);
      const signer = r.signature.verified
        ? `verified, signed by ${r.signature.fingerprint ?? '?'}${r.signature.userId ? ` (${r.signature.userId})` : ''}`
        : `NOT verified: ${r.signature.reason ?? ''}`;
      this.log(
        r.location !== undefined
          ? `Attached signature for ${r.digest} to ${r.storeKind} ${r.location} (${signer})`
          : `The signature for ${r.digest} was already in ${r.storeKind} ${r.store} (${signer})`,
      );
      return r;
    } finally {
      await ctx.done();
    }
  }
}
