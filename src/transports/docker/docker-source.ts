import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { ImgsignError } from '../../errors.js';
import { digestAlgorithm, isValidDigest } from '../../digest/digest.js';
import { MAX_MANIFEST_BYTES, MediaType } from '../../manifest/media-types.js';
import { manifestDigest, matchesDigest } from '../../manifest/digest.js';
import { referenceName } from '../../reference/docker-reference.js';
import type { SystemContext } from '../../system-context.js';
import type { BlobInfo, ImageSource, ManifestBlob } from '../types.js';
import {
  dockerSignatureStore,
  registryClientFor,
} from './docker-system-context.js';
import type { DockerImageReference } from './docker-transport.js';
import {
  headerValue,
  ResponseTooLargeError,
  type RegistryClient,
} from './registry-client.js';
import { registryError } from './registry-errors.js';
import { discardBody, isRetryableStatus } from './retry.js';
import { markRetried } from '../internal/retried.js';

/** Every manifest type we can read, preferred first (sent as Accept). */
export const MANIFEST_ACCEPT = [
  MediaType.ociIndex,
  MediaType.dockerV2List,
  MediaType.ociManifest,
  MediaType.dockerV2Schema2,
  MediaType.dockerV2Schema1Signed,
  MediaType.dockerV2Schema1,
].join(', ');

/** Manifest media type from Content-Type, falling back to the bytes' own `mediaType`/`schemaVersion`. */
export function manifestMediaType(
  contentType: string | undefined,
  untrustedBytes: Buffer,
): string {
  const ct = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  if (
    ct !== '' &&
    ct !== 'text/plain' &&
    ct !== 'application/json' &&
    ct !== 'application/octet-stream'
  ) {
    return ct;
  }
  try {
    const parsed = JSON.parse(untrustedBytes.toString('utf8')) as {
      mediaType?: unknown;
      schemaVersion?: unknown;
      signatures?: unknown;
    };
    if (typeof parsed.mediaType === 'string') return parsed.mediaType;
    if (parsed.schemaVersion === 1) {
      return parsed.signatures
        ? MediaType.dockerV2Schema1Signed
        : MediaType.dockerV2Schema1;
    }
  } catch {
    // Leave it to the manifest parser to reject.
  }
  return ct;
}

/** Digest of `bytes` with the algorithm of `like`. */
export function digestWithAlgorithm(bytes: Buffer, like: string): string {
  const algo = digestAlgorithm(like);
  return `${algo}:${createHash(algo).update(bytes).digest('hex')}`;
}

/**
 * Whether manifest bytes have digest `expected`: the SPEC §2 digest (signed
 * schema1 without its signatures) or the plain hash with `expected`'s algorithm.
 */
export function manifestMatchesDigest(
  bytes: Buffer,
  expected: string,
): boolean {
  return (
    matchesDigest(bytes, expected) ||
    digestWithAlgorithm(bytes, expected) === expected
  );
}

/** The SPEC §2 digest of manifest bytes; sha256 of the bytes if that cannot be computed. */
export function computeManifestDigest(bytes: Buffer): string {
  try {
    return manifestDigest(bytes);
  } catch {
    return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  }
}

/** Reads an image from a registry (Registry API v2). */
export class DockerImageSource implements ImageSource {
  readonly reference: DockerImageReference;
  private readonly sys: SystemContext;
  readonly client: RegistryClient;
  private topManifest: Promise<ManifestBlob & { digest: string }> | undefined;

  constructor(reference: DockerImageReference, sys: SystemContext) {
    this.reference = reference;
    this.sys = sys;
    this.client = registryClientFor(reference.ref, sys);
  }

  private get name(): string {
    return referenceName(this.reference.ref);
  }

  async getManifest(instanceDigest?: string): Promise<ManifestBlob> {
    if (instanceDigest !== undefined) {
      const m = await this.fetchManifest(instanceDigest, instanceDigest);
      return { bytes: m.bytes, mediaType: m.mediaType };
    }
    this.topManifest ??= this.fetchTopManifest();
    const m = await this.topManifest;
    return { bytes: m.bytes, mediaType: m.mediaType };
  }

  /** Digest of the top-level manifest (the reference's digest, or computed from the bytes). */
  async manifestDigest(): Promise<string> {
    this.topManifest ??= this.fetchTopManifest();
    return (await this.topManifest).digest;
  }

  private fetchTopManifest(): Promise<ManifestBlob & { digest: string }> {
    const ref = this.reference.ref;
    const tagOrDigest = ref.digest ?? ref.tag ?? 'latest';
    return this.fetchManifest(tagOrDigest, ref.digest).catch((err: unknown) => {
      this.topManifest = undefined;
      throw err;
    });
  }

  private async fetchManifest(
    tagOrDigest: string,
    expectedDigest: string | undefined,
  ): Promise<ManifestBlob & { digest: string }> {
    if (expectedDigest !== undefined && !isValidDigest(expectedDigest)) {
      throw new ImgsignError(
        'INVALID_REFERENCE',
        `invalid manifest digest "${expectedDigest}" for ${this.name}`,
      );
    }
    const where = `${this.name}${expectedDigest ? '@' : ':'}${tagOrDigest}`;
    let res;
    try {
      res = await this.client.request({
        method: 'GET',
        path: `/v2/${this.reference.ref.path}/manifests/${tagOrDigest}`,
        repository: this.reference.ref.path,
        actions: ['pull'],
        headers: { accept: MANIFEST_ACCEPT },
        maxBodyBytes: MAX_MANIFEST_BYTES,
      });
    } catch (err) {
      if (err instanceof ResponseTooLargeError) {
        throw new ImgsignError(
          'INVALID_MANIFEST',
          `reading manifest ${where}: manifest is larger than the ${MAX_MANIFEST_BYTES}-byte limit`,
          { cause: err },
        );
      }
      throw err instanceof ImgsignError
        ? err.withContext(`reading manifest ${where}`)
        : err;
    }
    if (res.status !== 200) {
      throw registryError(res, `reading manifest ${where}`);
    }
    const untrustedBytes = res.body;
    let digest: string;
    if (expectedDigest !== undefined) {
      if (!manifestMatchesDigest(untrustedBytes, expectedDigest)) {
        throw new ImgsignError(
          'DIGEST_MISMATCH',
          `reading manifest ${where}: the registry returned a manifest with digest ${computeManifestDigest(untrustedBytes)}`,
        );
      }
      digest = expectedDigest;
    } else {
      digest = computeManifestDigest(untrustedBytes);
    }
    return {
      bytes: untrustedBytes,
      mediaType: manifestMediaType(
        headerValue(res.headers['content-type']),
        untrustedBytes,
      ),
      digest,
    };
  }

  /**
   * Stream a blob (redirects to storage are followed without credentials).
   * WARNING: the bytes are unverified; the caller hashes them.
   */
  async getBlob(info: BlobInfo): Promise<{ stream: Readable; size: number }> {
    if (!isValidDigest(info.digest)) {
      throw new ImgsignError(
        'INVALID_MANIFEST',
        `invalid blob digest "${info.digest}" for ${this.name}`,
      );
    }
    const res = await this.client
      .requestStream({
        method: 'GET',
        path: `/v2/${this.reference.ref.path}/blobs/${info.digest}`,
        repository: this.reference.ref.path,
        actions: ['pull'],
      })
      .catch((err: unknown) => {
        // The client retried the GET already (--retry-times).
        throw err instanceof ImgsignError
          ? markRetried(
              err.withContext(`reading blob ${info.digest} from ${this.name}`),
            )
          : err;
      });
    if (res.status !== 200) {
      const body = await readSmall(res.body);
      const err = registryError(
        { status: res.status, body },
        `reading blob ${info.digest} from ${this.name}`,
      );
      throw isRetryableStatus(res.status) ? markRetried(err) : err;
    }
    const declared = Number(headerValue(res.headers['content-length']));
    const size =
      Number.isSafeInteger(declared) && declared >= 0 ? declared : -1;
    if (info.size >= 0 && size >= 0 && size !== info.size) {
      discardBody(res.body);
      throw new ImgsignError(
        'DIGEST_MISMATCH',
        `reading blob ${info.digest} from ${this.name}: the registry sends ${size} bytes, the manifest says ${info.size}`,
      );
    }
    return { stream: res.body, size };
  }

  async getSignatures(instanceDigest?: string): Promise<Buffer[]> {
    const store = await dockerSignatureStore({
      ref: this.reference.ref,
      client: this.client,
      sys: this.sys,
      forWriting: false,
    });
    if (!store) return [];
    const digest = instanceDigest ?? (await this.manifestDigest());
    return store.read(this.reference.ref, digest);
  }

  async close(): Promise<void> {
    // Registry clients are shared per SystemContext; closeRegistryClients() ends them.
  }
}

/** Read at most 64 KiB of an error body. */
export async function readSmall(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > 64 * 1024) {
        discardBody(body);
        break;
      }
      chunks.push(chunk);
    }
  } catch {
    // The status is what matters.
  }
  return Buffer.concat(chunks);
}
