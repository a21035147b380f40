import { digestAlgorithm, isValidDigest } from '../../digest/digest.js';
import { ImgsignError } from '../../errors.js';
import {
  DEFAULT_DOMAIN,
  isNameOnly,
  parseNormalizedNamed,
  policyConfigurationIdentity,
  policyConfigurationNamespaces,
  type DockerReference,
} from '../../reference/docker-reference.js';
import type { SystemContext } from '../../system-context.js';
import { DockerArchiveReader } from '../internal/tarfile/reader.js';
import { TarfileImageSource } from '../internal/tarfile/source.js';
import type {
  ImageDestination,
  ImageReference,
  ImageSource,
  ImageTransport,
} from '../types.js';
import { DockerEngineClient } from './client.js';
import { newDockerDaemonDestination } from './destination.js';
import { dockerDaemonTransport } from './transport.js';

function invalid(input: string, why: string): ImgsignError {
  return new ImgsignError(
    'INVALID_REFERENCE',
    `invalid docker-daemon reference "${input}": ${why}`,
  );
}

/** docker's FamiliarString: `docker.io/library/busybox:1` → `busybox:1`. */
export function familiarString(ref: DockerReference): string {
  let name = `${ref.domain}/${ref.path}`;
  if (ref.domain === DEFAULT_DOMAIN) {
    name =
      ref.path.startsWith('library/') && ref.path.split('/').length === 2
        ? ref.path.slice('library/'.length)
        : ref.path;
  }
  return (
    name +
    (ref.tag !== undefined ? `:${ref.tag}` : '') +
    (ref.digest !== undefined ? `@${ref.digest}` : '')
  );
}

/**
 * Parse as skopeo does: a bare `sha256:<64 hex>` is an image ID; anything
 * else is a docker reference that must carry a tag or a digest (no default
 * `:latest`), not both, and whose familiar name is not `sha256`.
 */
export function parseDockerDaemonReference(
  input: string,
): DockerDaemonReference {
  if (isValidDigest(input)) {
    if (digestAlgorithm(input) !== 'sha256') {
      throw invalid(input, 'image IDs must be sha256 digests');
    }
    return new DockerDaemonReference({ id: input });
  }
  const ref = parseNormalizedNamed(input);
  if (ref.domain === DEFAULT_DOMAIN && ref.path === 'library/sha256') {
    throw invalid(
      input,
      'the repository name sha256 is reserved for full image IDs (sha256:<64 hex digits>)',
    );
  }
  if (isNameOnly(ref)) throw invalid(input, 'has neither a tag nor a digest');
  if (ref.tag !== undefined && ref.digest !== undefined) {
    throw invalid(
      input,
      'references with both a tag and a digest are not supported',
    );
  }
  return new DockerDaemonReference({ ref });
}

export class DockerDaemonReference implements ImageReference {
  /** Image ID (`sha256:…`), when referenced by ID. */
  readonly id: string | undefined;
  /** Named reference (tagged or digested), otherwise. */
  readonly ref: DockerReference | undefined;

  constructor(which: { id: string } | { ref: DockerReference }) {
    this.id = 'id' in which ? which.id : undefined;
    this.ref = 'ref' in which ? which.ref : undefined;
  }

  get transport(): ImageTransport {
    return dockerDaemonTransport;
  }

  stringWithinTransport(): string {
    return this.ref ? familiarString(this.ref) : (this.id ?? '');
  }

  dockerReference(): DockerReference | undefined {
    return this.ref;
  }

  /** SPEC §3.3: like docker for names; images referenced by ID have identity "". */
  policyConfigurationIdentity(): string {
    return this.ref ? policyConfigurationIdentity(this.ref) : '';
  }

  policyConfigurationNamespaces(): string[] {
    return this.ref ? policyConfigurationNamespaces(this.ref) : [];
  }

  /** Export the image (`GET /images/{name}/get`) into a private spool file and read it. */
  async newImageSource(sys: SystemContext): Promise<ImageSource> {
    const client = new DockerEngineClient(sys.dockerHost);
    let reader: DockerArchiveReader;
    try {
      const name = this.stringWithinTransport();
      const stream = await client.imageSave(name);
      reader = await DockerArchiveReader.fromStream(
        stream,
        `docker-daemon:${name}`,
      );
    } finally {
      await client.close();
    }
    try {
      return await TarfileImageSource.create({
        reference: this,
        reader,
        ownsReader: true,
      });
    } catch (err) {
      await reader.close();
      throw err;
    }
  }

  newImageDestination(sys: SystemContext): Promise<ImageDestination> {
    if (this.ref?.tag === undefined) {
      return Promise.reject(
        new ImgsignError(
          'USAGE',
          `invalid destination docker-daemon:${this.stringWithinTransport()}: a destination must be NAME:TAG`,
        ),
      );
    }
    return newDockerDaemonDestination(this, this.ref, sys);
  }
}
