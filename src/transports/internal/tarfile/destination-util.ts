import type { Readable } from 'node:stream';
import { isValidDigest } from '../../../digest/digest.js';
import { ImgsignError } from '../../../errors.js';
import { MediaType } from '../../../manifest/media-types.js';
import type { ManifestBlob } from '../../types.js';
import type { Schema2Descriptor, Schema2Manifest } from './types.js';

/** Read a whole stream, refusing more than `maxBytes`. */
export async function readCapped(
  stream: Readable,
  maxBytes: number,
  where: string,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > maxBytes) {
      stream.destroy();
      throw new ImgsignError(
        'INVALID_MANIFEST',
        `${where}: config blob over the ${maxBytes}-byte limit`,
      );
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function descriptor(where: string, raw: unknown): Schema2Descriptor {
  const d = (raw ?? {}) as Record<string, unknown>;
  const digest = d['digest'];
  const size = d['size'];
  if (typeof digest !== 'string' || !isValidDigest(digest)) {
    throw new ImgsignError(
      'INVALID_MANIFEST',
      `${where}: manifest descriptor has an invalid digest`,
    );
  }
  return {
    mediaType: typeof d['mediaType'] === 'string' ? d['mediaType'] : '',
    size: typeof size === 'number' ? size : -1,
    digest,
  };
}

/**
 * The parts of a v2s2 manifest a docker archive records. Anything else is
 * refused: c/image's destination also takes only schema 2 and leaves
 * conversion to the copier.
 */
export function parseSchema2ForArchive(
  where: string,
  manifest: ManifestBlob,
): Schema2Manifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(manifest.bytes.toString('utf8'));
  } catch (err) {
    throw new ImgsignError(
      'INVALID_MANIFEST',
      `${where}: manifest is not JSON: ${(err as Error).message}`,
    );
  }
  const m = (parsed ?? {}) as Record<string, unknown>;
  if (
    m['schemaVersion'] !== 2 ||
    m['mediaType'] !== MediaType.dockerV2Schema2 ||
    !Array.isArray(m['layers'])
  ) {
    throw new ImgsignError(
      'UNSUPPORTED',
      `${where}: needs a Docker schema 2 manifest (got ${manifest.mediaType}); convert with --format v2s2`,
    );
  }
  return {
    schemaVersion: 2,
    mediaType: MediaType.dockerV2Schema2,
    config: descriptor(where, m['config']),
    layers: (m['layers'] as unknown[]).map((l) => descriptor(where, l)),
  };
}
