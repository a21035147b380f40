import { isValidDigest } from '../../digest/digest.js';
import { PolicyFormatError } from '../../errors.js';
import type { ImageReference, ImageTransport } from '../types.js';
import { parseDockerDaemonReference } from './reference.js';

/**
 * `docker-daemon:NAME:TAG`, `docker-daemon:NAME@DIGEST` or
 * `docker-daemon:sha256:IMAGEID`: images in a Docker engine, exchanged as
 * docker save tarballs over the Engine API (SPEC §6, c/image `docker/daemon`).
 * No signatures. Named images use docker-style policy scopes; `algo:digest`
 * scopes are invalid (SPEC §3.3).
 */
export const dockerDaemonTransport: ImageTransport = {
  name: 'docker-daemon',
  parseReference(reference: string): ImageReference {
    return parseDockerDaemonReference(reference);
  },
  validatePolicyConfigurationScope(scope: string): void {
    if (isValidDigest(scope)) {
      throw new PolicyFormatError(
        `docker-daemon: scope ${JSON.stringify(scope)} is invalid: an algo:digest value cannot be used as a namespace`,
      );
    }
  },
};
