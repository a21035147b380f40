import { ImgsignError, InconclusiveError, describeError } from '../errors.js';
import { DigestVerifier } from '../transports/internal/verify-stream.js';
import { alreadyRetried } from '../transports/internal/retried.js';
import type { Readable } from 'node:stream';
import type {
  BlobInfo,
  ImageDestination,
  ImageSource,
} from '../transports/types.js';
import { transportString } from '../transports/types.js';
import type { CopiedBlob, ProgressReporter } from './types.js';

export interface BlobCopyOptions {
  jobs: number;
  retryTimes: number;
  configDigests: Set<string>;
  progress?: ProgressReporter;
  /** Aborted when another blob failed: in-flight streams stop early. */
  signal?: AbortSignal;
}

function retryable(err: unknown): boolean {
  return (
    err instanceof ImgsignError &&
    !alreadyRetried(err) &&
    (err.code === 'INCONCLUSIVE' || err.code === 'REGISTRY_HTTP')
  );
}

/**
 * Stream one blob source → verifier → destination. The verifier errors
 * instead of ending on a digest or size mismatch, so the destination never
 * finishes writing a bad blob; a destination that returns without reading
 * the stream to a verified end is treated as a failure too.
 */
async function streamBlob(
  src: ImageSource,
  dest: ImageDestination,
  info: BlobInfo,
  options: BlobCopyOptions,
): Promise<CopiedBlob> {
  const what = `blob ${info.digest} from ${transportString(src.reference)}`;
  options.signal?.throwIfAborted();
  const { stream, size: reportedSize } = await src.getBlob(info);
  const abort = () => stream.destroy(options.signal?.reason as Error);
  options.signal?.addEventListener('abort', abort, { once: true });
  try {
    return await verifyInto(stream, reportedSize, dest, info, options, what);
  } finally {
    options.signal?.removeEventListener('abort', abort);
  }
}

async function verifyInto(
  stream: Readable,
  reportedSize: number,
  dest: ImageDestination,
  info: BlobInfo,
  options: BlobCopyOptions,
  what: string,
): Promise<CopiedBlob> {
  if (info.size >= 0 && reportedSize >= 0 && reportedSize !== info.size) {
    stream.destroy();
    throw new ImgsignError(
      'DIGEST_MISMATCH',
      `${what}: source reports ${reportedSize} bytes, the manifest says ${info.size}`,
    );
  }
  const verifier = new DigestVerifier(info.digest, info.size, what);
  let verified = false;
  let verifyError: Error | undefined;
  verifier.on('end', () => (verified = true));
  // Recorded here (the destination may wrap or, after its own failure, no
  // longer listen); rethrown as the cause of the failure below.
  verifier.on('error', (err: Error) => (verifyError ??= err));
  const progress = options.progress;
  if (progress?.blobProgress) {
    verifier.onBytes = (n) => progress.blobProgress?.(info.digest, n);
  }
  // A source that fails mid-body (connection reset, closed early) is a
  // network failure of this blob: named, INCONCLUSIVE, and so retryable.
  let sourceError: InconclusiveError | undefined;
  stream.on('error', (err) => {
    sourceError ??=
      err instanceof ImgsignError
        ? undefined
        : new InconclusiveError(`reading ${what}: ${describeError(err)}`, {
            cause: err,
          });
    verifier.destroy(sourceError ?? err);
  });
  stream.pipe(verifier);
  let stored: BlobInfo;
  try {
    stored = await dest.putBlob(verifier, info, {
      isConfig: options.configDigests.has(info.digest),
    });
  } catch (err) {
    stream.destroy();
    verifier.destroy();
    if (verifyError instanceof ImgsignError) throw verifyError;
    throw sourceError ?? err;
  }
  if (verifyError !== undefined) throw verifyError;
  if (!verified) {
    stream.destroy();
    throw new ImgsignError(
      'DIGEST_MISMATCH',
      `${what}: the destination stored it without a verified end of stream`,
    );
  }
  return {
    digest: info.digest,
    size: stored.size >= 0 ? stored.size : verifier.bytes,
    reused: false,
  };
}

async function copyOne(
  src: ImageSource,
  dest: ImageDestination,
  info: BlobInfo,
  options: BlobCopyOptions,
): Promise<CopiedBlob> {
  options.progress?.blobStarted?.(info);
  const reused = await dest.tryReusingBlob(info, {
    sourceReference: src.reference,
  });
  if (reused) {
    options.progress?.blobDone?.(info, true);
    return { digest: info.digest, size: reused.size, reused: true };
  }
  for (let attempt = 0; ; attempt++) {
    try {
      const done = await streamBlob(src, dest, info, options);
      options.progress?.blobDone?.(info, false);
      return done;
    } catch (err) {
      if (
        attempt >= options.retryTimes ||
        !retryable(err) ||
        options.signal?.aborted
      ) {
        if (err instanceof ImgsignError) throw err;
        throw new ImgsignError(
          'INCONCLUSIVE',
          `copying blob ${info.digest} to ${transportString(dest.reference)}: ${describeError(err)}`,
          { cause: err },
        );
      }
      options.progress?.step?.(
        `retrying blob ${info.digest} (${attempt + 1}/${options.retryTimes}): ${describeError(err)}`,
      );
    }
  }
}

/**
 * Copy `blobs` with at most `jobs` in flight. The first failure stops new
 * copies from starting, aborts the running ones and is rethrown.
 */
export async function copyBlobs(
  src: ImageSource,
  dest: ImageDestination,
  blobs: BlobInfo[],
  options: BlobCopyOptions,
): Promise<CopiedBlob[]> {
  const results: CopiedBlob[] = new Array<CopiedBlob>(blobs.length);
  let next = 0;
  let failure: { err: unknown } | undefined;
  const controller = new AbortController();
  const opts = { ...options, signal: controller.signal };
  const worker = async (): Promise<void> => {
    while (!failure && next < blobs.length) {
      const i = next++;
      const info = blobs[i] as BlobInfo;
      try {
        results[i] = await copyOne(src, dest, info, opts);
      } catch (err) {
        if (!failure) {
          failure = { err };
          controller.abort(
            new ImgsignError('INCONCLUSIVE', `copy of ${info.digest} failed`),
          );
        }
      }
    }
  };
  const n = Math.max(1, Math.min(options.jobs, blobs.length));
  await Promise.all(Array.from({ length: n }, worker));
  if (failure) throw failure.err;
  return results;
}
