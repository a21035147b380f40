import { Args } from '@oclif/core';
import { ImgsignCommand } from '../cli/base-command.js';
import { signingSystemContext } from '../cli/signing-flags.js';
import { ImgsignError, InvalidSignatureError } from '../errors.js';
import { readBoundedFile } from '../keys/files.js';
import { loadVerificationKeys } from '../keys/resolve.js';
import { MAX_MANIFEST_BYTES } from '../manifest/media-types.js';
import { MAX_SIGNATURE_BYTES } from '../signature/blob.js';
import { verifyDockerManifestSignature } from '../signature/simple.js';
import { publicKeyFileFlag } from '../cli/public-key-file-flag.js';

export interface StandaloneVerifyResult {
  verified: true;
  fingerprint: string;
  manifestDigest: string;
  dockerReference: string;
  creator?: string;
  timestamp?: number;
}

export default class StandaloneVerify extends ImgsignCommand {
  static override summary =
    'Verify a signature of a manifest file (like skopeo standalone-verify)';
  static override description =
    'KEY-FINGERPRINTS is a comma-separated list of accepted primary key fingerprints, or "any" to accept every key in the --public-key-file files. ' +
    'Trusted keys come from --public-key-file, else the imgsign keyring, else GnuPG. ' +
    'Exit status 0 when the signature is valid, 1 otherwise (with one line saying why).';
  static override enableJsonFlag = true;
  static override examples = [
    '<%= config.bin %> standalone-verify manifest.json quay.io/me/app:1.0 0123456789ABCDEF0123456789ABCDEF01234567 sig',
    '<%= config.bin %> standalone-verify manifest.json quay.io/me/app:1.0 any sig --public-key-file key.pub',
  ];
  static override args = {
    manifest: Args.string({ required: true, description: 'manifest file' }),
    'docker-reference': Args.string({
      required: true,
      description: 'expected identity',
    }),
    'key-fingerprints': Args.string({
      required: true,
      description: 'comma-separated fingerprints, or "any"',
    }),
    signature: Args.string({ required: true, description: 'signature file' }),
  };
  static override flags = {
    'public-key-file': publicKeyFileFlag(
      'trust the public keys in this file (repeatable)',
    ),
  };

  async run(): Promise<StandaloneVerifyResult> {
    const { args, flags } = await this.parse(StandaloneVerify);
    let sig: Awaited<ReturnType<typeof verifyDockerManifestSignature>>;
    try {
      const publicKeyFiles = flags['public-key-file'] ?? [];
      const fingerprints =
        args['key-fingerprints'] === 'any'
          ? ('any' as const)
          : args['key-fingerprints']
              .split(',')
              .map((f) => f.trim().toUpperCase())
              .filter((f) => f !== '');
      const manifest = await readBoundedFile(
        args.manifest,
        MAX_MANIFEST_BYTES,
        'manifest',
      );
      const signature = await readBoundedFile(
        args.signature,
        MAX_SIGNATURE_BYTES,
        'signature',
        'signature',
      );
      const verifier = await loadVerificationKeys(
        { fingerprints, publicKeyFiles },
        signingSystemContext(),
      );
      const accepted =
        fingerprints === 'any' ? verifier.trustedFingerprints() : fingerprints;
      sig = await verifyDockerManifestSignature(
        signature,
        manifest,
        args['docker-reference'],
        verifier,
        accepted,
      );
    } catch (err) {
      // Like skopeo: every failure to verify is "not verified", exit 1.
      if (
        err instanceof ImgsignError &&
        !(err instanceof InvalidSignatureError)
      ) {
        throw new InvalidSignatureError(`verification failed: ${err.message}`, {
          cause: err,
        });
      }
      throw err;
    }
    // Outside the try: failing to print is not a failure to verify.
    this.log(
      `Signature verified using fingerprint ${sig.keyIdentity}, digest ${sig.dockerManifestDigest}`,
    );
    return {
      verified: true,
      fingerprint: sig.keyIdentity,
      manifestDigest: sig.dockerManifestDigest,
      dockerReference: sig.dockerReference,
      ...(sig.creator !== undefined ? { creator: sig.creator } : {}),
      ...(sig.timestamp !== undefined ? { timestamp: sig.timestamp } : {}),
    };
  }
}
