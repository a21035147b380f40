import { Args, Flags } from '@oclif/core';
import { ImgsignCommand } from '../cli/base-command.js';
import {
  passphraseFlags,
  signerFromFlags,
  signingSystemContext,
} from '../cli/signing-flags.js';
import { readBoundedFile, writeFileAtomic } from '../keys/files.js';
import { manifestDigest } from '../manifest/digest.js';
import { MAX_MANIFEST_BYTES } from '../manifest/media-types.js';
import { signDockerManifest } from '../signature/simple.js';

export interface StandaloneSignResult {
  signature: string;
  fingerprint: string;
  manifestDigest: string;
  dockerReference: string;
}

export default class StandaloneSign extends ImgsignCommand {
  static override summary =
    'Sign a manifest file as DOCKER-REFERENCE with an OpenPGP key (like skopeo standalone-sign)';
  static override description =
    'KEY-ID is a fingerprint, long key ID, email or user ID of a key in the imgsign keyring or in GnuPG. ' +
    'With --sign-by-key-file the key is read from that file instead (KEY-ID must name it). ' +
    'The signature is a binary OpenPGP signed message that skopeo, podman and gpg verify.';
  static override enableJsonFlag = true;
  static override examples = [
    '<%= config.bin %> standalone-sign manifest.json quay.io/me/app:1.0 dev@example.com -o sig',
    '<%= config.bin %> standalone-sign manifest.json quay.io/me/app:1.0 ABCDEF0123456789 -o sig --passphrase-file pw.txt',
    '<%= config.bin %> standalone-sign manifest.json quay.io/me/app:1.0 ci@example.com --sign-by-key-file key.asc --passphrase-env KEY_PASS -o sig',
  ];
  static override args = {
    manifest: Args.string({ required: true, description: 'manifest file' }),
    'docker-reference': Args.string({
      required: true,
      description: 'identity to sign, with a tag or digest',
    }),
    'key-id': Args.string({
      required: true,
      description: 'signing key: fingerprint, key ID, email or user ID',
    }),
  };
  static override flags = {
    output: Flags.string({
      char: 'o',
      required: true,
      description: 'write the signature to this file',
    }),
    'sign-by-key-file': Flags.string({
      description: 'armored or binary private key file to sign with',
    }),
    ...passphraseFlags,
  };

  async run(): Promise<StandaloneSignResult> {
    const { args, flags } = await this.parse(StandaloneSign);
    const manifest = await readBoundedFile(
      args.manifest,
      MAX_MANIFEST_BYTES,
      'manifest',
    );
    const signer = await signerFromFlags(
      { ...flags, 'sign-by': args['key-id'] },
      signingSystemContext(),
    );
    const signature = await signDockerManifest(
      manifest,
      args['docker-reference'],
      signer,
    );
    await writeFileAtomic(flags.output, signature);
    return {
      signature: flags.output,
      fingerprint: signer.fingerprint,
      manifestDigest: manifestDigest(manifest),
      dockerReference: args['docker-reference'],
    };
  }
}
