import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { ImgsignError } from '../../errors.js';
import { isValidDigest } from '../../digest/digest.js';
import type { BlobInfo } from '../types.js';
import { headerValue, type RegistryClient } from './registry-client.js';
import { registryError } from './registry-errors.js';
import { isRetryableStatus } from './retry.js';
import { markRetried } from '../internal/retried.js';

const PULL_PUSH: ('pull' | 'push')[] = ['pull', 'push'];

/** The repository an upload goes to. */
export interface UploadContext {
  client: RegistryClient;
  /** Repository path without host. */
  path: string;
  /** host/path, for messages. */
  name: string;
}

/**
 * Upload a blob: POST to open a session, then one PUT with the whole stream
 * when size and digest are known, else PATCH (hashing on the way) and PUT
 * ?digest=. The registry refuses bytes that do not hash to the digest; on
 * any failure the session is cancelled and nothing is committed.
 */
export async function uploadBlob(
  ctx: UploadContext,
  stream: Readable,
  info: BlobInfo,
): Promise<BlobInfo> {
  const knownDigest = isValidDigest(info.digest) ? info.digest : undefined;
  // Every failure names the blob and the repository (network errors name only a URL).
  const blob = `blob ${knownDigest ?? '(digest unknown)'}`;
  const named = (err: unknown): unknown =>
    err instanceof ImgsignError && !err.message.includes(blob)
      ? err.withContext(`uploading ${blob} to ${ctx.name}`)
      : err;
  let start;
  try {
    start = await ctx.client.request({
      method: 'POST',
      path: `/v2/${ctx.path}/blobs/uploads/`,
      repository: ctx.path,
      actions: PULL_PUSH,
      headers: { 'content-length': '0' },
    });
  } catch (err) {
    stream.destroy();
    // The client retried the POST already (--retry-times).
    throw markRetried(named(err));
  }
  const location = headerValue(start.headers['location']);
  if (start.status !== 202 || location === undefined) {
    stream.destroy();
    const err = registryError(
      start,
      `starting the upload of ${blob} to ${ctx.name}`,
    );
    throw isRetryableStatus(start.status) ? markRetried(err) : err;
  }
  try {
    if (knownDigest !== undefined && info.size >= 0) {
      return await putMonolithic(ctx, stream, location, knownDigest, info);
    }
    return await putChunked(ctx, stream, location, knownDigest, info);
  } catch (err) {
    stream.destroy();
    await cancelUpload(ctx, location);
    throw named(err);
  }
}

/** One PUT carrying the whole blob with its length. */
async function putMonolithic(
  ctx: UploadContext,
  stream: Readable,
  location: string,
  digest: string,
  info: BlobInfo,
): Promise<BlobInfo> {
  const res = await ctx.client.request({
    method: 'PUT',
    path: withQuery(location, { digest }),
    repository: ctx.path,
    actions: PULL_PUSH,
    headers: {
      'content-type': 'application/octet-stream',
      'content-length': String(info.size),
    },
    body: stream,
  });
  if (res.status !== 201) {
    throw registryError(res, `uploading blob ${digest} to ${ctx.name}`);
  }
  return { ...info, digest, size: info.size };
}

/** PATCH the stream (size or digest unknown: hashed on the way), then PUT ?digest=. */
async function putChunked(
  ctx: UploadContext,
  stream: Readable,
  location: string,
  knownDigest: string | undefined,
  info: BlobInfo,
): Promise<BlobInfo> {
  const hash = createHash('sha256');
  let size = 0;
  const counted = new Transform({
    transform(chunk: Buffer, _enc, done): void {
      size += chunk.length;
      if (knownDigest === undefined) hash.update(chunk);
      done(null, chunk);
    },
  });
  stream.on('error', (err) => counted.destroy(err));
  stream.pipe(counted);
  const patch = await ctx.client.request({
    method: 'PATCH',
    path: location,
    repository: ctx.path,
    actions: PULL_PUSH,
    headers: { 'content-type': 'application/octet-stream' },
    body: counted,
  });
  const next = headerValue(patch.headers['location']);
  if (patch.status !== 202 || next === undefined) {
    throw registryError(patch, `uploading a blob to ${ctx.name}`);
  }
  const digest = knownDigest ?? `sha256:${hash.digest('hex')}`;
  const put = await ctx.client.request({
    method: 'PUT',
    path: withQuery(next, { digest }),
    repository: ctx.path,
    actions: PULL_PUSH,
    headers: { 'content-length': '0' },
  });
  if (put.status !== 201) {
    throw registryError(
      put,
      `finishing the upload of blob ${digest} to ${ctx.name}`,
    );
  }
  if (info.size >= 0 && info.size !== size) {
    throw new ImgsignError(
      'DIGEST_MISMATCH',
      `uploading blob ${digest} to ${ctx.name}: got ${size} bytes, expected ${info.size}`,
    );
  }
  return { ...info, digest, size };
}

/** Abandon an upload session (best effort). */
export async function cancelUpload(
  ctx: UploadContext,
  location: string,
): Promise<void> {
  try {
    await ctx.client.request({
      method: 'DELETE',
      path: location,
      repository: ctx.path,
      actions: PULL_PUSH,
    });
  } catch {
    // Best effort: the registry purges abandoned uploads itself.
  }
}

/** Add query parameters to an upload Location (absolute URL or path). */
function withQuery(location: string, params: Record<string, string>): string {
  const url = new URL(location, 'http://placeholder.invalid');
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return /^[a-z]+:\/\//i.test(location)
    ? url.href
    : `${url.pathname}${url.search}`;
}
