import { ImgsignError } from '../../errors.js';
import {
  parseNormalizedNamed,
  referenceString,
  withDefaultTag,
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
import { newDockerArchiveDestination } from './destination.js';
import { dockerArchiveTransport } from './transport.js';

function invalid(input: string, why: string): ImgsignError {
  return new ImgsignError(
    'INVALID_REFERENCE',
    `invalid docker-archive reference "${input}": ${why}`,
  );
}

/**
 * Parse `PATH[:NAME:TAG]` or `PATH[:@INDEX]` as skopeo does: the path ends
 * at the first colon; a name without a tag gets `:latest`; digests are
 * refused; `@N` selects the N-th image of manifest.json when reading.
 */
export function parseDockerArchiveReference(
  input: string,
): DockerArchiveReference {
  if (input === '') throw invalid(input, 'expected PATH[:NAME:TAG|:@INDEX]');
  const colon = input.indexOf(':');
  const path = colon === -1 ? input : input.slice(0, colon);
  const rest = colon === -1 ? undefined : input.slice(colon + 1);
  if (path === '') throw invalid(input, 'empty path');
  if (rest === undefined) return new DockerArchiveReference(path);
  if (rest.startsWith('@')) {
    const digits = rest.slice(1);
    if (!/^[0-9]{1,9}$/.test(digits)) {
      throw invalid(input, `source index ${rest} is not @N with N ≥ 0`);
    }
    return new DockerArchiveReference(path, undefined, Number(digits));
  }
  const named = parseNormalizedNamed(rest);
  if (named.digest !== undefined) {
    throw invalid(input, 'docker-archive does not support digest references');
  }
  return new DockerArchiveReference(path, withDefaultTag(named));
}

export class DockerArchiveReference implements ImageReference {
  constructor(
    /** The archive file, as the user gave it. */
    readonly path: string,
    /** name:tag to select (reading) or to record (writing). */
    readonly tag?: DockerReference,
    /** `@N` image index (reading only). */
    readonly sourceIndex?: number,
  ) {}

  get transport(): ImageTransport {
    return dockerArchiveTransport;
  }

  stringWithinTransport(): string {
    if (this.tag) return `${this.path}:${referenceString(this.tag)}`;
    if (this.sourceIndex !== undefined) {
      return `${this.path}:@${this.sourceIndex}`;
    }
    return this.path;
  }

  dockerReference(): DockerReference | undefined {
    return this.tag;
  }

  /** Archives have only the default scope (SPEC §3.3). */
  policyConfigurationIdentity(): string {
    return '';
  }

  policyConfigurationNamespaces(): string[] {
    return [];
  }

  async newImageSource(_sys: SystemContext): Promise<ImageSource> {
    const reader = await DockerArchiveReader.fromFile(this.path);
    try {
      return await TarfileImageSource.create({
        reference: this,
        reader,
        ownsReader: true,
        ...(this.tag ? { tag: this.tag } : {}),
        ...(this.sourceIndex !== undefined
          ? { sourceIndex: this.sourceIndex }
          : {}),
      });
    } catch (err) {
      await reader.close();
      throw err;
    }
  }

  newImageDestination(_sys: SystemContext): Promise<ImageDestination> {
    if (this.sourceIndex !== undefined) {
      return Promise.reject(
        invalid(
          this.stringWithinTransport(),
          `a destination cannot use a source index @${this.sourceIndex}`,
        ),
      );
    }
    return newDockerArchiveDestination(this);
  }
}
