import { Args } from '@oclif/core';
import { ImgsignCommand } from '../../cli/base-command.js';
import {
  signaturesArgv,
  signaturesFlags,
  signaturesSystemContext,
} from '../../cli/signatures-flags.js';
import { signatureContext } from '../../signatures/image-signatures.js';
import type { SignatureReport } from '../../signatures/inspect-signature.js';
import { loadKnownKeys } from '../../signatures/known-keys.js';
import {
  listSignatures,
  type SignatureListing,
} from '../../signatures/list.js';
import { parseImageName } from '../../transports/all.js';
import { publicKeyFileFlag } from '../../cli/public-key-file-flag.js';

function describe(s: SignatureReport): string[] {
  if (s.unreadable !== undefined) {
    return [`signature-${s.index}: unreadable: ${s.unreadable}`];
  }
  const when =
    s.untrustedTimestamp !== undefined
      ? new Date(s.untrustedTimestamp * 1000).toISOString()
      : '(no timestamp)';
  const lines = [
    `signature-${s.index}: ${s.verified ? 'VERIFIED' : 'NOT VERIFIED'}`,
    s.verified
      ? `  signer: ${s.fingerprint ?? '?'}${s.userId ? ` ${s.userId}` : ''} (key from ${s.keySource ?? '?'})`
      : `  signer key ID (unverified): ${s.untrustedKeyId ?? '?'}`,
    `  identity: ${s.untrustedIdentity ?? '?'}`,
    `  digest: ${s.untrustedDigest ?? '?'}${s.digestMatches ? '' : ' (NOT this image)'}`,
    `  timestamp: ${when}`,
  ];
  if (!s.verified && s.reason !== undefined)
    lines.push(`  reason: ${s.reason}`);
  return lines;
}

export default class SignaturesList extends ImgsignCommand {
  static override summary =
    'List every signature stored for an image: signer, identity, digest, timestamp, and whether it verifies';
  static override description =
    "Reads the signatures of the image's current manifest where copy and verify would (docker://: the registry's signature extension API, else the registries.d lookaside; dir:: signature-N). Each one is parsed and, when its signer's key is in the imgsign keyring or a --public-key-file, verified against the manifest digest. \"Verifies\" says nothing about policy: use `imgsign verify` to decide whether an image is acceptable. Unreadable signatures are listed with the reason.";
  static override examples = [
    '<%= config.bin %> signatures list docker://registry.example.com/team/app:1.0',
    '<%= config.bin %> signatures list dir:/tmp/app --public-key-file signer.asc --json',
    '<%= config.bin %> signatures list docker://localhost:5000/app:1 --tls-verify=false --registries.d ./registries.d',
  ];
  static override enableJsonFlag = true;
  static override flags = {
    ...signaturesFlags,
    'public-key-file': publicKeyFileFlag(
      'also recognise signers by the keys in this file',
    ),
  };
  static override args = {
    image: Args.string({
      description: 'image (transport:reference)',
      required: true,
    }),
  };

  async run(): Promise<SignatureListing> {
    const { args, flags } = await this.parse(
      SignaturesList,
      signaturesArgv(this.argv),
    );
    const ref = parseImageName(args.image);
    const ctx = signatureContext(signaturesSystemContext(flags));
    try {
      const keys = await loadKnownKeys(flags['public-key-file'] ?? [], ctx.sys);
      const listing = await listSignatures(ref, keys, ctx.sys);
      this.log(
        `${listing.signatures.length} signature${listing.signatures.length === 1 ? '' : 's'} for ${listing.image} (${listing.digest}) in ${listing.store}`,
      );
      for (const s of listing.signatures) {
        for (const line of describe(s)) this.log(line);
      }
      return listing;
    } finally {
      await ctx.done();
    }
  }
}
