import type { DockerReference } from '../../reference/docker-reference.js';
import { ImgsignError } from '../../errors.js';
import type { SystemContext } from '../../system-context.js';
import type {
  ImageDestination,
  ImageReference,
  ImageSource,
  ImageTransport,
} from '../types.js';
import {
  pathParents,
  resolvePathToFullyExplicit,
  validatePathScope,
} from '../internal/paths.js';
import { DirImageDestination } from './destination.js';
import { DirImageSource } from './source.js';

/** `dir:PATH`: skopeo's directory layout (SPEC §6). */
export const dirTransport: ImageTransport = {
  name: 'dir',
  parseReference(reference: string): ImageReference {
    return newDirReference(reference);
  },
  validatePolicyConfigurationScope(scope: string): void {
    validatePathScope('dir', scope);
  },
};

export class DirReference implements ImageReference {
  readonly transport = dirTransport;
  /** As the user gave it (may be relative or contain symlinks). */
  readonly path: string;
  /** Absolute, symlinks resolved at creation: the policy identity. */
  readonly resolvedPath: string;

  constructor(path: string, resolvedPath: string) {
    this.path = path;
    this.resolvedPath = resolvedPath;
  }

  stringWithinTransport(): string {
    return this.path;
  }
  dockerReference(): DockerReference | undefined {
    return undefined;
  }
  policyConfigurationIdentity(): string {
    return this.resolvedPath;
  }
  policyConfigurationNamespaces(): string[] {
    return pathParents(this.resolvedPath);
  }
  newImageSource(_sys: SystemContext): Promise<ImageSource> {
    return Promise.resolve(new DirImageSource(this));
  }
  newImageDestination(_sys: SystemContext): Promise<ImageDestination> {
    return DirImageDestination.open(this);
  }
}

export function newDirReference(path: string): DirReference {
  if (path === '') {
    throw new ImgsignError(
      'INVALID_REFERENCE',
      'invalid dir: reference: the path is empty (use dir:PATH)',
    );
  }
  return new DirReference(path, resolvePathToFullyExplicit(path));
}
