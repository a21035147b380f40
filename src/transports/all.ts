import { ImgsignError } from '../errors.js';
import type { ImageReference, ImageTransport } from './types.js';
import { dockerTransport } from './docker/docker-transport.js';
import { dockerArchiveTransport } from './docker-archive/transport.js';
import { dockerDaemonTransport } from './docker-daemon/transport.js';
import { dirTransport } from './dir/transport.js';
import { ociTransport } from './oci/transport.js';
import { ociArchiveTransport } from './oci-archive/transport.js';

/**
 * Every transport imgsign knows, by name. Each transport module adds one
 * import and one entry here.
 */
const transports: ImageTransport[] = [
  dockerTransport,
  dockerArchiveTransport,
  dockerDaemonTransport,
  dirTransport,
  ociTransport,
  ociArchiveTransport,
];

export function knownTransports(): readonly ImageTransport[] {
  return transports;
}

export function transportByName(name: string): ImageTransport | undefined {
  return transports.find((t) => t.name === name);
}

/** Parse `transport:reference` as skopeo does (`docker://busybox`, `dir:/tmp/x`, `oci:/l:tag`). */
export function parseImageName(imageName: string): ImageReference {
  const colon = imageName.indexOf(':');
  if (colon <= 0) {
    throw new ImgsignError(
      'INVALID_REFERENCE',
      `invalid image name "${imageName}": expected transport:reference (transports: ${transports.map((t) => t.name).join(', ')})`,
    );
  }
  const name = imageName.slice(0, colon);
  const transport = transportByName(name);
  if (!transport) {
    throw new ImgsignError(
      'INVALID_REFERENCE',
      `invalid image name "${imageName}": unknown transport "${name}" (known: ${transports.map((t) => t.name).join(', ')})`,
    );
  }
  return transport.parseReference(imageName.slice(colon + 1));
}
