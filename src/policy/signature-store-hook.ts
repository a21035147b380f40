import type { DockerReference } from '../reference/docker-reference.js';
import {
  recordingResolver,
  withSignatureStoreResolver,
} from '../signature-storage/docker-resolver.js';
import type { SystemContext } from '../system-context.js';
import { dockerSignatureStoreResolver } from '../transports/docker/docker-system-context.js';

/**
 * For `imgsign verify` of registry images: make sure docker:// sources know
 * where signatures live (registries.d lookaside or the extension API, as
 * configured by `sys`: signature-storage/docker-resolver.ts), and remember,
 * per image, which store was read, so "no signature exists" can name it.
 */
export interface SignatureStoreTracking {
  /** The SystemContext to use for every image (one object: registry clients are shared per context). */
  sys: SystemContext;
  /** The store read for `ref`, in words, once its signatures were read. */
  describe(ref: DockerReference): string | undefined;
}

export function trackSignatureStores(
  base: SystemContext,
): SignatureStoreTracking {
  const inner = dockerSignatureStoreResolver(base);
  const recorder = inner ? recordingResolver(inner) : recordingResolver();
  return {
    sys: withSignatureStoreResolver(base, recorder.resolver),
    describe: (ref) => recorder.describeRead(ref),
  };
}
