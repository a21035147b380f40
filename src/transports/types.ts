import type { Readable } from 'node:stream';
import type { DockerReference } from '../reference/docker-reference.js';
import type { SystemContext } from '../system-context.js';

/**
 * Transport interfaces, after containers/image `types/types.go`.
 * Implementations live in transports/<name>/; transports/all.ts registers them.
 */
export interface ImageTransport {
  /** `docker`, `oci`, `oci-archive`, `dir`, `docker-archive`, `docker-daemon`. */
  readonly name: string;
  /** Parse the part after `name:` (for docker, after `docker:`, i.e. `//host/repo:tag`). */
  parseReference(reference: string): ImageReference;
  /** Throws PolicyFormatError if `scope` is not valid for this transport in policy.json. */
  validatePolicyConfigurationScope(scope: string): void;
}

export interface ImageReference {
  readonly transport: ImageTransport;
  /** The reference without the transport prefix, such that parseReference() round-trips. */
  stringWithinTransport(): string;
  /** The docker reference this image is known as, if any (used for signing identity and policy). */
  dockerReference(): DockerReference | undefined;
  /** Most specific policy.json scope for this image ('' if none). */
  policyConfigurationIdentity(): string;
  /** Less specific scopes, most specific first, not including '' (SPEC §3.3). */
  policyConfigurationNamespaces(): string[];
  newImageSource(sys: SystemContext): Promise<ImageSource>;
  newImageDestination(sys: SystemContext): Promise<ImageDestination>;
}

/** `transport:reference` as the user would type it. */
export function transportString(ref: ImageReference): string {
  return `${ref.transport.name}:${ref.stringWithinTransport()}`;
}

export interface BlobInfo {
  digest: string;
  /** -1 when unknown. */
  size: number;
  mediaType?: string;
  annotations?: Record<string, string>;
  urls?: string[];
}

export interface ManifestBlob {
  /** Exact bytes, never re-serialised: signatures bind to their digest. */
  bytes: Buffer;
  mediaType: string;
}

/**
 * A source of one image (or a manifest list and its instances).
 * WARNING: everything returned is untrusted; callers verify digests
 * (getBlob streams are verified by the copy pipeline while streaming).
 */
export interface ImageSource {
  readonly reference: ImageReference;
  /** The manifest; with `instanceDigest`, that instance of a manifest list (bytes checked against the digest). */
  getManifest(instanceDigest?: string): Promise<ManifestBlob>;
  /** A blob as a stream; `size` is -1 when the source cannot tell. */
  getBlob(info: BlobInfo): Promise<{ stream: Readable; size: number }>;
  /** Raw simple-signing blobs for the image (or instance); [] when the transport stores none. */
  getSignatures(instanceDigest?: string): Promise<Buffer[]>;
  close(): Promise<void>;
}

/** Hints for tryReusingBlob(). */
export interface ReuseBlobOptions {
  /**
   * The image the blob is copied from: a registry destination on the same
   * registry mounts the blob from that repository instead of uploading it.
   */
  sourceReference?: ImageReference;
}

export interface PutBlobOptions {
  /** True for config blobs (some destinations store them differently). */
  isConfig?: boolean;
}

/**
 * A destination for one image. Nothing becomes visible before commit():
 * file-based destinations write to temporary names and rename; registries
 * receive the manifest only after every blob it names.
 */
export interface ImageDestination {
  readonly reference: ImageReference;
  /** Manifest MIME types accepted, preferred first; undefined = any. */
  supportedManifestMediaTypes(): string[] | undefined;
  /** Whether simple signatures can be stored here (false for oci, archives, daemon). */
  supportsSignatures(): Promise<boolean>;
  /** If the blob is already present (or can be mounted), return its info without uploading. */
  tryReusingBlob(
    info: BlobInfo,
    options?: ReuseBlobOptions,
  ): Promise<BlobInfo | undefined>;
  /**
   * Store a blob from a stream. The stream is digest-verified by the caller's
   * pipeline; the destination must still not commit a blob whose bytes do
   * not hash to `info.digest` when it can check (registries do).
   */
  putBlob(
    stream: Readable,
    info: BlobInfo,
    options?: PutBlobOptions,
  ): Promise<BlobInfo>;
  /** Store the manifest (for the top level, or an instance of a list). */
  putManifest(manifest: ManifestBlob, instanceDigest?: string): Promise<void>;
  /** Store the complete list of signatures for the image (or instance). */
  putSignatures(signatures: Buffer[], instanceDigest?: string): Promise<void>;
  /** Make everything visible. Not calling it leaves nothing behind. */
  commit(): Promise<void>;
  close(): Promise<void>;
}
