import { ImgsignError } from '../../errors.js';
import type { DockerReference } from '../../reference/docker-reference.js';
import type { SystemContext } from '../../system-context.js';
import { resolvePathToFullyExplicit } from '../internal/paths.js';
import type {
  ImageDestination,
  ImageReference,
  ImageSource,
  ImageTransport,
} from '../types.js';

// containers/image oci/internal: the image name grammar of `oci:PATH:NAME`.
const component = '(?:[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*)';
const refRegexp = new RegExp(`^${component}(?:/${component})*$`);

export interface OciLikeParts {
  dir: string;
  /** The ref name ('' = none). */
  image: string;
  /** `@N` position in index.json, -1 = none (sources only). */
  sourceIndex: number;
}

/** Split `PATH[:NAME|:@N]` at the first colon, as skopeo does on Unix. */
export function parseOciLikeReference(
  transport: string,
  reference: string,
): OciLikeParts {
  const colon = reference.indexOf(':');
  const dir = colon < 0 ? reference : reference.slice(0, colon);
  const rest = colon < 0 ? '' : reference.slice(colon + 1);
  const bad = (why: string) =>
    new ImgsignError(
      'INVALID_REFERENCE',
      `invalid ${transport}: reference "${reference}": ${why}`,
    );
  if (dir === '') throw bad('the path is empty');
  let image = '';
  let sourceIndex = -1;
  if (rest.startsWith('@')) {
    const n = rest.slice(1);
    if (!/^\d+$/.test(n))
      throw bad(`source index @${n} is not a non-negative integer`);
    sourceIndex = Number(n);
  } else if (rest !== '') {
    if (!refRegexp.test(rest)) throw bad(`invalid image name "${rest}"`);
    image = rest;
  }
  return { dir, image, sourceIndex };
}

/** Shared by oci: and oci-archive: references. */
export abstract class OciLikeReference implements ImageReference {
  abstract readonly transport: ImageTransport;
  readonly dir: string;
  readonly resolvedDir: string;
  readonly image: string;
  readonly sourceIndex: number;

  constructor(parts: OciLikeParts) {
    this.dir = parts.dir;
    this.image = parts.image;
    this.sourceIndex = parts.sourceIndex;
    this.resolvedDir = resolvePathToFullyExplicit(parts.dir);
  }

  stringWithinTransport(): string {
    return this.sourceIndex >= 0
      ? `${this.dir}:@${this.sourceIndex}`
      : `${this.dir}:${this.image}`;
  }
  dockerReference(): DockerReference | undefined {
    return undefined;
  }
  /** The image name is not part of the identity (containers/image). */
  policyConfigurationIdentity(): string {
    return this.resolvedDir;
  }
  policyConfigurationNamespaces(): string[] {
    const out: string[] = [];
    let p = this.resolvedDir;
    while (p !== '/' && p !== '') {
      out.push(p);
      p = p.slice(0, p.lastIndexOf('/'));
    }
    return out;
  }
  abstract newImageSource(sys: SystemContext): Promise<ImageSource>;
  abstract newImageDestination(sys: SystemContext): Promise<ImageDestination>;
}
