import { ImgsignError, PolicyFormatError } from '../../errors.js';
import {
  parseNormalizedNamed,
  policyConfigurationIdentity,
  policyConfigurationNamespaces,
  referenceString,
  withDefaultTag,
  type DockerReference,
} from '../../reference/docker-reference.js';
import type { SystemContext } from '../../system-context.js';
import { DockerImageDestination } from './docker-destination.js';
import { DockerImageSource } from './docker-source.js';
import type {
  ImageDestination,
  ImageReference,
  ImageSource,
  ImageTransport,
} from '../types.js';

/** `docker://HOST[:PORT]/PATH[:TAG|@DIGEST]` (SPEC §0). */
export class DockerTransport implements ImageTransport {
  readonly name = 'docker';

  parseReference(reference: string): DockerImageReference {
    if (!reference.startsWith('//')) {
      throw new ImgsignError(
        'INVALID_REFERENCE',
        `invalid docker reference "docker:${reference}": it must start with "docker://"`,
      );
    }
    return newDockerImageReference(parseNormalizedNamed(reference.slice(2)));
  }

  /**
   * policy.json scopes for docker: a repository or namespace
   * (`host/ns/repo`, `host/ns`, `host`), an identity with tag or digest, or a
   * `*.domain` wildcard. Anything else is a PolicyFormatError.
   */
  validatePolicyConfigurationScope(scope: string): void {
    if (scope === '') {
      throw new PolicyFormatError('docker scope must not be empty');
    }
    if (scope.startsWith('*.')) {
      if (!/^\*\.[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?$/.test(scope)) {
        throw new PolicyFormatError(`invalid docker wildcard scope "${scope}"`);
      }
      return;
    }
    if (/[\s*]|:\/\//.test(scope) || scope.endsWith('/')) {
      throw new PolicyFormatError(`invalid docker scope "${scope}"`);
    }
  }
}

export const dockerTransport = new DockerTransport();

/** A docker:// reference: always has a tag or a digest (not both). */
export function newDockerImageReference(
  ref: DockerReference,
): DockerImageReference {
  if (ref.tag !== undefined && ref.digest !== undefined) {
    throw new ImgsignError(
      'INVALID_REFERENCE',
      `invalid docker reference "docker://${referenceString(ref)}": references with both a tag and digest are not supported`,
    );
  }
  return new DockerImageReference(withDefaultTag(ref));
}

export class DockerImageReference implements ImageReference {
  readonly transport: ImageTransport = dockerTransport;
  readonly ref: DockerReference;

  constructor(ref: DockerReference) {
    this.ref = ref;
  }

  stringWithinTransport(): string {
    return `//${referenceString(this.ref)}`;
  }

  dockerReference(): DockerReference {
    return this.ref;
  }

  policyConfigurationIdentity(): string {
    return policyConfigurationIdentity(this.ref);
  }

  policyConfigurationNamespaces(): string[] {
    return policyConfigurationNamespaces(this.ref);
  }

  newImageSource(sys: SystemContext): Promise<ImageSource> {
    return Promise.resolve(new DockerImageSource(this, sys));
  }

  newImageDestination(sys: SystemContext): Promise<ImageDestination> {
    return Promise.resolve(new DockerImageDestination(this, sys));
  }
}
