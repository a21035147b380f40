/**
 * Test doubles around real transports: a source whose blobs can be
 * tampered with or made to fail, and a destination that counts how many
 * putBlob calls run at once. Everything else is the real dir:/oci: code.
 */
import { Readable } from 'node:stream';
import type {
  BlobInfo,
  ImageDestination,
  ImageReference,
  ImageSource,
} from '../../../src/transports/types.js';

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export interface SourceHooks {
  /** Replace a blob's bytes (return undefined to keep them). */
  tamper?: (digest: string, bytes: Buffer) => Buffer | undefined;
  /** Throw instead of serving (e.g. a network error on the first attempt). */
  fail?: (digest: string, attempt: number) => Error | undefined;
  /** Report this size instead of the real one (-1 = unknown). */
  reportSize?: number;
  blobRequests?: string[];
  /** Serve this stream instead (e.g. one that never ends). */
  serve?: (digest: string) => Readable | undefined;
}

export function wrapSource(
  inner: ImageReference,
  hooks: SourceHooks,
): ImageReference {
  const attempts = new Map<string, number>();
  return {
    ...inner,
    transport: inner.transport,
    stringWithinTransport: () => inner.stringWithinTransport(),
    dockerReference: () => inner.dockerReference(),
    policyConfigurationIdentity: () => inner.policyConfigurationIdentity(),
    policyConfigurationNamespaces: () => inner.policyConfigurationNamespaces(),
    newImageDestination: (sys) => inner.newImageDestination(sys),
    async newImageSource(sys): Promise<ImageSource> {
      const src = await inner.newImageSource(sys);
      return {
        reference: src.reference,
        getManifest: (d) => src.getManifest(d),
        getSignatures: (d) => src.getSignatures(d),
        close: () => src.close(),
        async getBlob(info: BlobInfo) {
          hooks.blobRequests?.push(info.digest);
          const n = (attempts.get(info.digest) ?? 0) + 1;
          attempts.set(info.digest, n);
          const err = hooks.fail?.(info.digest, n);
          if (err) throw err;
          const custom = hooks.serve?.(info.digest);
          if (custom) return { stream: custom, size: -1 };
          const real = await src.getBlob(info);
          if (!hooks.tamper && hooks.reportSize === undefined) return real;
          const bytes = await readAll(real.stream);
          const out = hooks.tamper?.(info.digest, bytes) ?? bytes;
          return {
            stream: Readable.from([out]),
            size: hooks.reportSize ?? out.length,
          };
        },
      };
    },
  };
}

export interface DestStats {
  inFlight: number;
  maxInFlight: number;
  puts: number;
}

export function wrapDestination(
  inner: ImageReference,
  stats: DestStats,
): ImageReference {
  return {
    ...inner,
    transport: inner.transport,
    stringWithinTransport: () => inner.stringWithinTransport(),
    dockerReference: () => inner.dockerReference(),
    policyConfigurationIdentity: () => inner.policyConfigurationIdentity(),
    policyConfigurationNamespaces: () => inner.policyConfigurationNamespaces(),
    newImageSource: (sys) => inner.newImageSource(sys),
    async newImageDestination(sys): Promise<ImageDestination> {
      const d = await inner.newImageDestination(sys);
      return {
        reference: d.reference,
        supportedManifestMediaTypes: () => d.supportedManifestMediaTypes(),
        supportsSignatures: () => d.supportsSignatures(),
        tryReusingBlob: (i, o) => d.tryReusingBlob(i, o),
        putManifest: (m, i) => d.putManifest(m, i),
        putSignatures: (s, i) => d.putSignatures(s, i),
        commit: () => d.commit(),
        close: () => d.close(),
        async putBlob(stream, info, options) {
          stats.puts++;
          stats.inFlight++;
          stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
          try {
            return await d.putBlob(stream, info, options);
          } finally {
            stats.inFlight--;
          }
        },
      };
    },
  };
}
