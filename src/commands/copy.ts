import { Args, Flags } from '@oclif/core';
import { ImgsignCommand } from '../cli/base-command.js';
import { normalizeBooleanArgv } from '../cli/bool-argv.js';
import {
  COPY_BOOLEAN_FLAGS,
  COPY_NEGATABLE_FLAGS,
  copyFlags,
  copySystemContext,
  platformChoice,
  sideSystemContext,
} from '../cli/copy-flags.js';
import { TtyCopyProgress } from '../cli/copy-progress.js';
import { copyImage } from '../copy/copy.js';
import type { CopyOptions, CopyResult } from '../copy/types.js';
import { PolicyRequirementError } from '../errors.js';
import { PolicyContext } from '../policy/context.js';
import { loadPolicy } from '../policy/load.js';
import { imageFromSource } from '../policy/unparsed-image.js';
import { parseImageName } from '../transports/all.js';
import type { ImageReference } from '../transports/types.js';
import { transportString } from '../transports/types.js';
import {
  signerFromFlags,
  signingFlags,
  signingSystemContext,
  wantsSigning,
  type SigningFlagValues,
} from '../cli/signing-flags.js';
import { referenceString } from '../reference/docker-reference.js';
import { signDockerManifest } from '../signature/simple.js';
import { usageError } from '../errors.js';

export function describeCopyResult(r: CopyResult): string {
  const reused = r.blobs.filter((b) => b.reused).length;
  const verb = r.dryRun ? 'Would copy' : 'Copied';
  const blobs = `${r.blobs.length} blob${r.blobs.length === 1 ? '' : 's'}${reused ? `, ${reused} already present` : ''}`;
  const sigs = `${r.signaturesWritten} signature${r.signaturesWritten === 1 ? '' : 's'}`;
  const digest = r.digestChanged
    ? `${r.manifestDigest} (converted to ${r.manifestMediaType}; source digest ${r.sourceManifestDigest})`
    : r.manifestDigest;
  const instances =
    r.instances.length > 0 ? `, ${r.instances.length} images` : '';
  return `${verb} ${r.source} to ${r.destination}: ${digest} (${blobs}${instances}, ${sigs})`;
}

/** The policy check skopeo runs on every image it copies (SPEC §3), as a copy hook. */
async function policyHook(
  flags: { policy?: string | undefined; 'insecure-policy': boolean },
  homeDir: string | undefined,
): Promise<CopyOptions['verifySource']> {
  const loaded = await loadPolicy({
    ...(flags.policy !== undefined ? { path: flags.policy } : {}),
    insecure: flags['insecure-policy'],
    ...(homeDir !== undefined ? { homeDir } : {}),
  });
  const context = new PolicyContext(loaded.policy);
  return async (src, _manifest, instanceDigest) => {
    try {
      await context.assertAllowed(
        imageFromSource(src, undefined, instanceDigest),
      );
    } catch (err) {
      if (err instanceof PolicyRequirementError) {
        throw new PolicyRequirementError(
          `Source image rejected by ${loaded.source}: ${err.message}`,
          { cause: err },
        );
      }
      throw err;
    }
  };
}

/**
 * `--sign-by`: one signer over the final destination manifest(s), claiming
 * `--sign-identity` or else the destination's docker reference (c/image).
 */
async function signersFromFlags(
  flags: SigningFlagValues & { 'sign-identity'?: string | undefined },
  destination: ImageReference,
): Promise<CopyOptions['signers']> {
  if (!wantsSigning(flags)) {
    if (flags['sign-identity'] !== undefined) {
      throw usageError('--sign-identity needs --sign-by or --sign-by-key-file');
    }
    return undefined;
  }
  const named = destination.dockerReference();
  const identity =
    flags['sign-identity'] ?? (named ? referenceString(named) : undefined);
  if (identity === undefined) {
    throw usageError(
      `Cannot determine canonical Docker reference for destination ${transportString(destination)}: use --sign-identity`,
    );
  }
  const signer = await signerFromFlags(flags, signingSystemContext());
  return [
    { sign: (manifest) => signDockerManifest(manifest, identity, signer) },
  ];
}

export default class Copy extends ImgsignCommand {
  static override summary =
    'Copy an image between transports, keeping its digest and signatures';
  static override description = `Transports: dir:PATH, oci:PATH[:NAME], oci-archive:PATH[:NAME], docker://REFERENCE, docker-archive:PATH[:REF], docker-daemon:NAME[:TAG].
Blobs stream with their digest and size verified; nothing is committed at the destination if any check fails. The manifest is converted only when the destination needs another type or --format asks; then its digest changes, which is reported, and the copy is refused if the source has signatures (they would no longer match) unless --remove-signatures. Boolean flags also accept skopeo's --flag=true/--flag=false.`;
  static override examples = [
    '<%= config.bin %> copy dir:/tmp/busybox oci:/tmp/layout:busybox',
    '<%= config.bin %> copy --all docker://localhost:5000/app:1 oci-archive:/tmp/app.tar',
    '<%= config.bin %> copy --format v2s2 --remove-signatures oci:/tmp/layout:busybox dir:/tmp/out',
    '<%= config.bin %> copy --sign-by dev@example.com dir:/tmp/busybox docker://registry.example.com/busybox:1',
    '<%= config.bin %> copy --dest-tls-verify=false dir:/tmp/busybox docker://localhost:5000/busybox:latest',
  ];
  static override enableJsonFlag = true;
  static override flags = {
    ...copyFlags,
    ...signingFlags,
    'sign-identity': Flags.string({
      description:
        'Docker reference the signature claims (default: the destination reference)',
      helpValue: 'REFERENCE',
      helpGroup: 'SIGNING',
    }),
  };
  static override args = {
    source: Args.string({
      description: 'source image (transport:reference)',
      required: true,
    }),
    destination: Args.string({
      description: 'destination image (transport:reference)',
      required: true,
    }),
  };

  async run(): Promise<CopyResult> {
    const argv = normalizeBooleanArgv(
      this.argv,
      COPY_BOOLEAN_FLAGS,
      COPY_NEGATABLE_FLAGS,
    );
    const { args, flags } = await this.parse(Copy, argv);
    const base = copySystemContext();
    if (flags['registries.d'] !== undefined) {
      base.registriesDirPath = flags['registries.d'];
    }
    const source = parseImageName(args.source);
    const destination = parseImageName(args.destination);
    const verifySource = await policyHook(flags, base.homeDir);
    const signers = await signersFromFlags(flags, destination);
    const quiet = flags.quiet || this.jsonEnabled();
    const progress =
      !quiet && process.stderr.isTTY
        ? new TtyCopyProgress(process.stderr)
        : undefined;
    const result = await copyImage({
      source,
      destination,
      sys: base,
      sourceSys: sideSystemContext(base, flags, 'src'),
      destinationSys: sideSystemContext(base, flags, 'dest'),
      removeSignatures: flags['remove-signatures'],
      all: flags.all,
      ...(flags.format !== undefined
        ? { format: flags.format as 'oci' | 'v2s2' }
        : {}),
      platform: platformChoice(flags),
      jobs: flags.jobs,
      retryTimes: flags['retry-times'],
      dryRun: flags['dry-run'],
      ...(verifySource ? { verifySource } : {}),
      ...(signers ? { signers } : {}),
      ...(progress ? { progress } : {}),
    });
    if (!quiet) this.log(describeCopyResult(result));
    return result;
  }
}
