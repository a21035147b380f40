import type { Readable } from 'node:stream';
import { ImgsignError } from '../../errors.js';
import { isValidDigest } from '../../digest/digest.js';
import { referenceName } from '../../reference/docker-reference.js';
import type { SignatureStore } from '../../signature-storage/store.js';
import type { SystemContext } from '../../system-context.js';
import type {
  BlobInfo,
  ImageDestination,
  ManifestBlob,
  PutBlobOptions,
  ReuseBlobOptions,
} from '../types.js';
import {
  dockerSignatureStore,
  registryClientFor,
} from './docker-system-context.js';
import { DockerImageReference } from './docker-transport.js';
import {
  computeManifestDigest,
  manifestMatchesDigest,
} from './docker-source.js';
import { headerValue, type RegistryClient } from './registry-client.js';
import { registryError } from './registry-errors.js';
import { cancelUpload, uploadBlob, type UploadContext } from './blob-upload.js';

const PULL_PUSH: ('pull' | 'push')[] = ['pull', 'push'];

/**
 * Writes an image to a registry. Blobs go first (HEAD to skip existing ones,
 * cross-repository mount on the same registry, otherwise a streamed upload);
 * the caller puts the manifest only after every blob, which is what makes
 * the image visible. The registry checks each blob's digest on upload.
 */
export class DockerImageDestination implements ImageDestination {
  readonly reference: DockerImageReference;
  private readonly sys: SystemContext;
  readonly client: RegistryClient;
  private lastManifestDigest: string | undefined;

  constructor(reference: DockerImageReference, sys: SystemContext) {
    this.reference = reference;
    this.sys = sys;
    this.client = registryClientFor(reference.ref, sys);
  }

  private get path(): string {
    return this.reference.ref.path;
  }

  private get upload(): UploadContext {
    return { client: this.client, path: this.path, name: this.name };
  }

  private get name(): string {
    return referenceName(this.reference.ref);
  }

  supportedManifestMediaTypes(): string[] | undefined {
    return undefined;
  }

  async supportsSignatures(): Promise<boolean> {
    return (await this.signatureStore()) !== undefined;
  }

  async tryReusingBlob(
    info: BlobInfo,
    options?: ReuseBlobOptions,
  ): Promise<BlobInfo | undefined> {
    if (!isValidDigest(info.digest)) return undefined;
    // Same registry, other repository: a mount answers 201 whether or not
    // the blob is already here, so it replaces the HEAD (one round trip).
    const source = options?.sourceReference;
    if (
      source instanceof DockerImageReference &&
      source.ref.domain === this.reference.ref.domain &&
      source.ref.path !== this.path
    ) {
      const mounted = await this.mountBlob(info, source.ref.path);
      if (mounted) return mounted;
    }
    const checking = `checking for blob ${info.digest} in ${this.name}`;
    const head = await this.client
      .request({
        method: 'HEAD',
        path: `/v2/${this.path}/blobs/${info.digest}`,
        repository: this.path,
        actions: PULL_PUSH,
      })
      .catch((err: unknown) => {
        throw err instanceof ImgsignError ? err.withContext(checking) : err;
      });
    if (head.status === 200) {
      return { ...info, size: sizeFrom(head.headers, info.size) };
    }
    if (head.status !== 404) {
      throw registryError(head, checking);
    }
    return undefined;
  }

  /** Cross-repository blob mount (POST …/uploads/?mount=&from=); 201 = done. */
  private async mountBlob(
    info: BlobInfo,
    from: string,
  ): Promise<BlobInfo | undefined> {
    const query = new URLSearchParams({ mount: info.digest, from });
    const res = await this.client.request({
      method: 'POST',
      path: `/v2/${this.path}/blobs/uploads/?${query.toString()}`,
      repository: this.path,
      actions: PULL_PUSH,
      additionalScopes: [{ repository: from, actions: ['pull'] }],
      headers: { 'content-length': '0' },
    });
    if (res.status === 201) {
      return { ...info, size: sizeFrom(res.headers, info.size) };
    }
    // 202: the registry opened an ordinary upload instead; give it back.
    const location = headerValue(res.headers['location']);
    if (res.status === 202 && location !== undefined) {
      await cancelUpload(this.upload, location);
    }
    return undefined;
  }

  async putBlob(
    stream: Readable,
    info: BlobInfo,
    _options?: PutBlobOptions,
  ): Promise<BlobInfo> {
    return uploadBlob(this.upload, stream, info);
  }

  async putManifest(
    manifest: ManifestBlob,
    instanceDigest?: string,
  ): Promise<void> {
    const ref = this.reference.ref;
    let target: string;
    let digest: string;
    if (instanceDigest !== undefined || ref.digest !== undefined) {
      const expected = (instanceDigest ?? ref.digest) as string;
      if (!isValidDigest(expected)) {
        throw new ImgsignError(
          'INVALID_REFERENCE',
          `invalid manifest digest "${expected}" for ${this.name}`,
        );
      }
      if (!manifestMatchesDigest(manifest.bytes, expected)) {
        throw new ImgsignError(
          'DIGEST_MISMATCH',
          `writing manifest to ${this.name}@${expected}: the manifest has digest ${computeManifestDigest(manifest.bytes)}`,
        );
      }
      digest = expected;
      target = expected;
    } else {
      target = ref.tag ?? 'latest';
      digest = computeManifestDigest(manifest.bytes);
    }
    const writing = `writing manifest to ${this.name}${target.includes(':') ? '@' : ':'}${target}`;
    const res = await this.client
      .request({
        method: 'PUT',
        path: `/v2/${this.path}/manifests/${target}`,
        repository: this.path,
        actions: PULL_PUSH,
        headers: { 'content-type': manifest.mediaType },
        body: manifest.bytes,
      })
      .catch((err: unknown) => {
        throw err instanceof ImgsignError ? err.withContext(writing) : err;
      });
    if (res.status !== 201) throw registryError(res, writing);
    if (instanceDigest === undefined) this.lastManifestDigest = digest;
  }

  async putSignatures(
    signatures: Buffer[],
    instanceDigest?: string,
  ): Promise<void> {
    if (signatures.length === 0) return;
    const store = await this.signatureStore();
    if (!store) {
      throw new ImgsignError(
        'UNSUPPORTED',
        `cannot store signatures for ${this.name}: the registry has no signature extension and no registries.d lookaside is configured for it`,
      );
    }
    const digest =
      instanceDigest ?? this.lastManifestDigest ?? this.reference.ref.digest;
    if (digest === undefined) {
      throw new ImgsignError(
        'USAGE',
        `cannot store signatures for ${this.name} before its manifest`,
      );
    }
    await store.add(this.reference.ref, digest, signatures);
  }

  private signatureStore(): Promise<SignatureStore | undefined> {
    return dockerSignatureStore({
      ref: this.reference.ref,
      client: this.client,
      sys: this.sys,
      forWriting: true,
    });
  }

  async commit(): Promise<void> {
    // The manifest PUT already published the image.
  }

  async close(): Promise<void> {
    // Registry clients are shared per SystemContext; closeRegistryClients() ends them.
  }
}

function sizeFrom(
  headers: Record<string, string | string[] | undefined>,
  fallback: number,
): number {
  const n = Number(headerValue(headers['content-length']));
  return Number.isSafeInteger(n) && n > 0 ? n : fallback;
}
