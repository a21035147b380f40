import { Args, Flags } from '@oclif/core';
import { ImgsignCommand } from '../cli/base-command.js';
import { normalizeBooleanArgv } from '../cli/bool-argv.js';
import {
  COPY_BOOLEAN_FLAGS,
  COPY_NEGATABLE_FLAGS,
  CONTENT_TRUST_BOOLEAN_FLAGS,
  contentTrustEnabled,
  contentTrustFlags,
  copyFlags,
  copySystemContext,
  platformChoice,
  sideSystemContext,
} from '../cli/copy-flags.js';
import { TtyCopyProgress } from '../cli/copy-progress.js';
import { trustDirectory, trustPassphraseRetriever } from '../cli/trust-env.js';
import { trustServerOverride } from '../cli/trust-server.js';
import {
  notaryTrustedTagResolver,
  notaryTrustedTagSigner,
} from '../notary/copy-trust.js';
import type { DockerSystemContext } from '../transports/docker/docker-system-context.js';
import type { SystemContext } from '../system-context.js';
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
import {
  recordingResolver,
  withSignatureStoreResolver,
  type SignatureStoreAccess,
} from '../signature-storage/docker-resolver.js';
import {
  assertSignaturesWritable,
  plannedSignatureWrites,
  signatureWritesOfCopy,
  type SignatureWrite,
} from '../signature-storage/copy-report.js';

/** What `copy --json` returns: the copy, plus where signatures came from and went. */
export interface CopyCommandResult extends CopyResult {
  /** Registry signature stores read at the source (docker:// only). */
  signatureSources: SignatureStoreAccess[];
  /** Where signatures were (or, with --dry-run, would be) written. */
  signatureWrites: SignatureWrite[];
}

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

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The lines after the result line: signature sources and destinations (and, dry run, the plan). */
export function describeSignatureReport(r: CopyCommandResult): string[] {
  const lines: string[] = [];
  if (r.dryRun) {
    lines.push(
      r.digestChanged
        ? `  manifest digest changes: ${r.sourceManifestDigest} -> ${r.manifestDigest} (converted to ${r.manifestMediaType})`
        : `  manifest digest kept: ${r.manifestDigest}`,
    );
    lines.push(
      `  signatures travelling from the source: ${r.signaturesCarried === 0 ? 'none' : plural(r.signaturesCarried, 'signature')}`,
    );
  }
  for (const s of r.signatureSources) {
    if ((s.count ?? 0) > 0) {
      lines.push(
        `  read ${plural(s.count ?? 0, 'signature')} for ${s.digest} from ${s.store}`,
      );
    }
  }
  if (r.dryRun && r.signaturesCreated > 0) {
    lines.push(`  new signatures: ${plural(r.signaturesCreated, 'signature')}`);
  }
  for (const w of r.signatureWrites) {
    const where =
      w.locations.length > 0 ? `${w.kind} ${w.locations.join(', ')}` : w.store;
    if (r.dryRun) {
      lines.push(
        `  would write ${plural(w.count, 'signature')} for ${w.digest} to ${where}`,
      );
    } else if (w.locations.length === 0) {
      lines.push(`  signatures for ${w.digest} were already in ${w.store}`);
    } else {
      lines.push(
        `  wrote ${plural(w.locations.length, 'signature')} for ${w.digest} to ${where}`,
      );
    }
  }
  return lines;
}

/** The lines about Docker Content Trust: the source tag resolved, the destination tag signed. */
export function describeContentTrust(r: CopyResult): string[] {
  const lines: string[] = [];
  const s = r.contentTrust?.source;
  if (s) {
    lines.push(
      `  content trust: ${s.gun}:${s.tag} resolved to ${s.digest} (signed by ${s.role}, notary server ${s.server})`,
    );
  }
  const d = r.contentTrust?.destination;
  if (d) {
    const what = `${d.gun}:${d.tag} as ${d.digest} (${plural(d.length, 'byte')})`;
    lines.push(
      d.signed
        ? `  content trust: signed ${what} in ${(d.roles ?? []).join(', ')}${d.server ? `, notary server ${d.server}` : ''}`
        : `  content trust: would sign ${what}`,
    );
  }
  return lines;
}

/**
 * DOCKER_CONTENT_TRUST on (SPEC §7.10): install the trusted-tag hooks
 * (notary/copy-trust.ts) on both docker:// sides, as docker pull/push.
 */
function installContentTrust(
  sourceSys: SystemContext,
  destinationSys: SystemContext,
  io: { out: (line: string) => void; warn: (message: string) => void },
): void {
  const serverOverride = trustServerOverride();
  const common = {
    trustDir: trustDirectory(),
    ...(serverOverride !== undefined ? { serverOverride } : {}),
    warn: io.warn,
  };
  (sourceSys as DockerSystemContext).dockerTrustedTagResolver =
    notaryTrustedTagResolver(common);
  (destinationSys as DockerSystemContext).dockerTrustedTagSigner =
    notaryTrustedTagSigner({
      ...common,
      passphrase: trustPassphraseRetriever(),
      out: io.out,
    });
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
Blobs stream with their digest and size verified; nothing is committed at the destination if any check fails. The manifest is converted only when the destination needs another type or --format asks; then its digest changes, which is reported, and the copy is refused if the source has signatures (they would no longer match) unless --remove-signatures. Boolean flags also accept skopeo's --flag=true/--flag=false.
Signatures travel with the image (dir: signature-N; docker://: the registry's signature extension API when it advertises one, else the registries.d lookaside of --registries.d DIR or the default directory). --sign-by adds one over the destination manifest digest claiming the destination reference (--sign-identity to choose another); with --all, the list and every instance are signed unless --sign-list-only. Each signature written is reported with its store and URL or path; --dry-run reports, without moving anything, whether the digest is kept, which signatures travel and where new ones would be written.
Docker Content Trust (DOCKER_CONTENT_TRUST=1, as docker pull/push; --disable-content-trust turns it off): a tagged docker:// source is resolved through its Notary server and exactly the signed digest is copied (no trust data or an unsigned tag: nothing is copied); a docker:// destination tag is signed in Notary with the pushed digest (keys in $DOCKER_CONFIG/trust, passphrases from DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE / DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE, server from DOCKER_CONTENT_TRUST_SERVER). Digest references are copied as given; pushing to one with content trust on is refused.`;
  static override examples = [
    '<%= config.bin %> copy dir:/tmp/busybox oci:/tmp/layout:busybox',
    '<%= config.bin %> copy --all docker://localhost:5000/app:1 oci-archive:/tmp/app.tar',
    '<%= config.bin %> copy --format v2s2 --remove-signatures oci:/tmp/layout:busybox dir:/tmp/out',
    '<%= config.bin %> copy --sign-by dev@example.com dir:/tmp/busybox docker://registry.example.com/busybox:1',
    '<%= config.bin %> copy --dest-tls-verify=false dir:/tmp/busybox docker://localhost:5000/busybox:latest',
    'DOCKER_CONTENT_TRUST=1 <%= config.bin %> copy docker://registry.example.com/app:1 docker://mirror.example.com/app:1',
    '<%= config.bin %> copy --disable-content-trust docker://registry.example.com/app:1 dir:/tmp/app',
    '<%= config.bin %> copy --registries.d ./registries.d --sign-by dev@example.com --all --dry-run oci:/tmp/layout:app docker://registry.example.com/team/app:1',
  ];
  static override enableJsonFlag = true;
  static override flags = {
    ...copyFlags,
    ...contentTrustFlags,
    ...signingFlags,
    'sign-list-only': Flags.boolean({
      description:
        'With --all and --sign-by, sign only the manifest list, not every instance',
      default: false,
      helpGroup: 'SIGNING',
    }),
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

  async run(): Promise<CopyCommandResult> {
    const argv = normalizeBooleanArgv(
      this.argv,
      [...COPY_BOOLEAN_FLAGS, ...CONTENT_TRUST_BOOLEAN_FLAGS, 'sign-list-only'],
      [...COPY_NEGATABLE_FLAGS, ...CONTENT_TRUST_BOOLEAN_FLAGS],
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
    if (flags['sign-list-only'] && !signers) {
      throw usageError(
        '--sign-list-only needs --sign-by or --sign-by-key-file',
      );
    }
    // Signatures of docker:// images: registries.d lookaside or the
    // extension API, each side with its own TLS settings and credentials.
    const recorder = recordingResolver();
    const sys = withSignatureStoreResolver(base, recorder.resolver);
    const sourceSys = sideSystemContext(sys, flags, 'src');
    const destinationSys = sideSystemContext(sys, flags, 'dest');
    if (contentTrustEnabled(process.env, flags['disable-content-trust'])) {
      installContentTrust(sourceSys, destinationSys, {
        out: (line) => {
          if (!quiet) this.log(line);
        },
        warn: (message) => this.warn(message),
      });
    }
    // Refuse before pushing when the new signatures could not be stored.
    if (signers) await assertSignaturesWritable(destination, destinationSys);
    const copied = await copyImage({
      source,
      destination,
      sys,
      sourceSys,
      destinationSys,
      signListOnly: flags['sign-list-only'],
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
    const signatureWrites = copied.dryRun
      ? await plannedSignatureWrites(copied, destination, destinationSys)
      : signatureWritesOfCopy(copied, destination, recorder.writes);
    const result: CopyCommandResult = {
      ...copied,
      signatureSources: recorder.reads,
      signatureWrites,
    };
    if (!quiet) {
      this.log(describeCopyResult(result));
      for (const line of describeSignatureReport(result)) this.log(line);
      for (const line of describeContentTrust(result)) this.log(line);
    }
    return result;
  }
}
