import { PolicyFormatError } from '../../errors.js';
import type { ImageReference, ImageTransport } from '../types.js';
import { parseDockerArchiveReference } from './reference.js';

/**
 * `docker-archive:PATH[:NAME:TAG|:@INDEX]`: a `docker save` tarball
 * (SPEC §6, c/image `docker/archive`). Holds Docker schema 2 images only and
 * no signatures; its only policy scope is the default `""` (SPEC §3.3).
 */
export const dockerArchiveTransport: ImageTransport = {
  name: 'docker-archive',
  parseReference(reference: string): ImageReference {
    return parseDockerArchiveReference(reference);
  },
  validatePolicyConfigurationScope(scope: string): void {
    throw new PolicyFormatError(
      `docker-archive: scope ${JSON.stringify(scope)} is invalid: docker-archive supports no scopes except the default ""`,
    );
  },
};
