/**
 * In-memory MetadataSource and TrustCache for the TUF client tests: files
 * by role name (`root`, `targets/releases`, …) and old roots by version.
 */
import { createHash } from 'node:crypto';
import { InconclusiveError, TrustError } from '../../../src/errors.js';
import type {
  MetadataRequest,
  MetadataSource,
} from '../../../src/notary/metadata-source.js';
import type { TrustCache } from '../../../src/notary/tuf/update-root.js';
import {
  updateTrustData,
  type TrustedRepository,
} from '../../../src/notary/tuf/update.js';

export class MemorySource implements MetadataSource {
  readonly description = 'memory source';
  readonly files = new Map<string, Buffer>();
  /** `<version>.root.json` files. */
  readonly roots = new Map<number, Buffer>();
  readonly requests: MetadataRequest[] = [];
  /** When set, every request fails as a network error would. */
  offline = false;
  /** A hostile server answers by-checksum requests with whatever it has. */
  ignoreChecksums = false;

  constructor(files?: Map<string, Buffer>) {
    for (const [k, v] of files ?? []) this.files.set(k, v);
  }

  get(_gun: string, request: MetadataRequest): Promise<Uint8Array | undefined> {
    this.requests.push(request);
    if (this.offline) {
      return Promise.reject(new InconclusiveError('memory source is offline'));
    }
    const bytes =
      request.version !== undefined
        ? this.roots.get(request.version)
        : this.files.get(request.role);
    if (bytes === undefined) return Promise.resolve(undefined);
    if (
      request.checksum !== undefined &&
      !this.ignoreChecksums &&
      createHash('sha256').update(bytes).digest('hex') !== request.checksum
    ) {
      return Promise.resolve(undefined); // no file by that checksum
    }
    if (bytes.length > request.maxBytes) {
      return Promise.reject(
        new TrustError(
          'hash',
          `${request.role}: longer than ${request.maxBytes} bytes`,
        ),
      );
    }
    return Promise.resolve(bytes);
  }
}

export class MemoryCache implements TrustCache {
  readonly files = new Map<string, Uint8Array>();

  get(_gun: string, role: string): Promise<Uint8Array | undefined> {
    return Promise.resolve(this.files.get(role));
  }

  set(_gun: string, role: string, bytes: Uint8Array): Promise<void> {
    this.files.set(role, bytes);
    return Promise.resolve();
  }
}

export interface UpdateFromOptions {
  now: Date;
  cache?: MemoryCache;
  warn?: (message: string) => void;
}

/** Run the client update over these files; returns the result or the error. */
export async function updateFrom(
  gun: string,
  files: Map<string, Buffer> | MemorySource,
  o: UpdateFromOptions,
): Promise<TrustedRepository> {
  return updateTrustData({
    gun,
    source: files instanceof MemorySource ? files : new MemorySource(files),
    cache: o.cache ?? new MemoryCache(),
    now: o.now,
    warn: o.warn,
  });
}

/** The TrustError a promise or function fails with (fails the test otherwise). */
export async function trustFailure(
  run: Promise<unknown> | (() => unknown),
): Promise<TrustError> {
  try {
    await (typeof run === 'function' ? run() : run);
  } catch (err) {
    if (err instanceof TrustError) return err;
    throw err;
  }
  throw new Error('expected a TrustError, but it succeeded');
}
