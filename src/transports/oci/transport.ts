import type { SystemContext } from '../../system-context.js';
import { validatePathScope } from '../internal/paths.js';
import type {
  ImageDestination,
  ImageSource,
  ImageTransport,
} from '../types.js';
import { ImgsignError } from '../../errors.js';
import { OciImageDestination } from './destination.js';
import { OciLikeReference, parseOciLikeReference } from './reference.js';
import { OciImageSource } from './source.js';

/** `oci:PATH[:NAME|:@N]`: an OCI image layout directory. */
export const ociTransport: ImageTransport = {
  name: 'oci',
  parseReference(reference: string): OciReference {
    return new OciReference(parseOciLikeReference('oci', reference));
  },
  validatePolicyConfigurationScope(scope: string): void {
    validatePathScope('oci', scope);
  },
};

export class OciReference extends OciLikeReference {
  readonly transport = ociTransport;

  newImageSource(_sys: SystemContext): Promise<ImageSource> {
    return OciImageSource.open(this, this.dir);
  }

  newImageDestination(_sys: SystemContext): Promise<ImageDestination> {
    if (this.sourceIndex >= 0) {
      return Promise.reject(
        new ImgsignError(
          'USAGE',
          `oci:${this.stringWithinTransport()}: a destination cannot use a source index @${this.sourceIndex}`,
        ),
      );
    }
    return OciImageDestination.open(this, this.dir, this.image);
  }
}
