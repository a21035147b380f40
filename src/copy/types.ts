import type { CopyContentTrustReport } from './content-trust.js';
import type { PlatformChoice } from '../manifest/platform.js';
import type { SystemContext } from '../system-context.js';
import type {
  BlobInfo,
  ImageReference,
  ImageSource,
  ManifestBlob,
} from '../transports/types.js';

/** Per-blob progress (the CLI draws bars from it on a TTY). All callbacks optional. */
export interface ProgressReporter {
  blobStarted?(info: BlobInfo): void;
  /** Cumulative bytes of `digest` streamed so far. */
  blobProgress?(digest: string, bytes: number): void;
  blobDone?(info: BlobInfo, reused: boolean): void;
  /** A step of the copy ("Writing manifest to image destination"). */
  step?(text: string): void;
}

/** Produces one signature over the FINAL destination manifest (signing issue's --sign-by). */
export interface CopySigner {
  sign(manifest: Buffer, manifestDigest: string): Promise<Buffer>;
}

export interface CopyOptions {
  source: ImageReference;
  destination: ImageReference;
  sys: SystemContext;
  /** Overrides `sys` for the source side (--src-creds, --src-tls-verify…). */
  sourceSys?: SystemContext;
  /** Overrides `sys` for the destination side. */
  destinationSys?: SystemContext;
  /** Drop the source's signatures (and allow conversions they would forbid). */
  removeSignatures?: boolean;
  /** Copy every instance of a manifest list and the list itself. */
  all?: boolean;
  /** Convert to this manifest format (changes the digest unless already so). */
  format?: 'oci' | 'v2s2';
  /** Instance to pick from a manifest list (default: the current platform). */
  platform?: PlatformChoice;
  /** Blobs copied in parallel (default 6). */
  jobs?: number;
  /** Extra attempts for a blob copy that failed with a network/I-O error. */
  retryTimes?: number;
  progress?: ProgressReporter;
  /**
   * Policy hook: called with each manifest that will be copied (the list
   * with --all, then each instance, or the single image) before any blob
   * moves; throw to refuse the image. When content trust pinned a tagged
   * source to its Notary digest, `source.reference` is still the tag the
   * user gave (its policy scope and identity apply) while every read goes
   * to the pinned digest (content-trust.ts trustedPolicySource).
   */
  verifySource?: (
    source: ImageSource,
    manifest: ManifestBlob,
    instanceDigest?: string,
  ) => Promise<void>;
  signers?: CopySigner[];
  /** With --all, sign only the list, not every instance. */
  signListOnly?: boolean;
  /** Decide and report, move nothing (no blob, manifest or signature is written). */
  dryRun?: boolean;
}

export interface CopiedBlob {
  digest: string;
  size: number;
  /** True when the destination already had it (or mounted it). */
  reused: boolean;
}

export interface CopiedImage {
  /** Digest of the manifest at the source. */
  sourceDigest: string;
  /** Digest of the manifest written. */
  digest: string;
  mediaType: string;
  platform?: string;
  signaturesCarried: number;
  signaturesCreated: number;
}

export interface CopyResult {
  source: string;
  destination: string;
  sourceManifestDigest: string;
  /** Digest of the top-level manifest at the destination. */
  manifestDigest: string;
  manifestMediaType: string;
  /** True when conversion produced new manifest bytes (signatures of the old digest no longer apply). */
  digestChanged: boolean;
  blobs: CopiedBlob[];
  /** For a list copied with --all: each instance; else []. */
  instances: CopiedImage[];
  signaturesCarried: number;
  signaturesCreated: number;
  /** Signatures handed to the destination (carried + created), over all manifests. */
  signaturesWritten: number;
  dryRun: boolean;
  /** Docker Content Trust (copy/content-trust.ts): set when a side had it on. */
  contentTrust?: CopyContentTrustReport;
}
