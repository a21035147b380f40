import { ImgsignError } from '../errors.js';
import {
  canConvertImage,
  imageTypeFor,
  listTypeFor,
} from '../manifest/convert.js';
import { MediaType } from '../manifest/media-types.js';

/**
 * Manifest type decisions (containers/image copy/manifest.go, simplified):
 * keep the source type unless `--format` asks for another or the
 * destination cannot store it; never convert what must stay byte-identical.
 */
export function formatMediaType(
  format: 'oci' | 'v2s2' | undefined,
): string | undefined {
  if (format === 'oci') return MediaType.ociManifest;
  if (format === 'v2s2') return MediaType.dockerV2Schema2;
  return undefined;
}

export interface TypeDecision {
  target: string;
  convert: boolean;
}

/** The type to write a single image manifest of type `from` as. */
export function decideImageType(
  from: string,
  wanted: string | undefined,
  supported: string[] | undefined,
  destName: string,
): TypeDecision {
  if (wanted !== undefined) {
    if (supported && !supported.includes(wanted)) {
      throw new ImgsignError(
        'UNSUPPORTED',
        `${destName} does not accept ${wanted} manifests (accepts ${supported.join(', ')})`,
      );
    }
    if (!canConvertImage(from, wanted)) {
      throw new ImgsignError(
        'UNSUPPORTED',
        `cannot convert a ${from} manifest to ${wanted} for ${destName}`,
      );
    }
    return { target: wanted, convert: wanted !== from };
  }
  if (!supported || supported.includes(from))
    return { target: from, convert: false };
  const target = supported.find((t) => canConvertImage(from, t));
  if (target === undefined) {
    throw new ImgsignError(
      'UNSUPPORTED',
      `${destName} does not accept ${from} manifests and imgsign cannot convert to any it accepts (${supported.join(', ')})`,
    );
  }
  return { target, convert: true };
}

/** The list type to write a list of type `from` as, and the instance type that goes with it. */
export function decideListType(
  from: string,
  wanted: string | undefined,
  supported: string[] | undefined,
  destName: string,
): { target: string; instanceType: string | undefined } {
  if (wanted !== undefined) {
    const target = listTypeFor(wanted);
    if (supported && !supported.includes(target)) {
      throw new ImgsignError(
        'UNSUPPORTED',
        `${destName} does not accept ${target} manifest lists`,
      );
    }
    return { target, instanceType: wanted };
  }
  if (!supported || supported.includes(from))
    return { target: from, instanceType: undefined };
  const other =
    from === MediaType.ociIndex ? MediaType.dockerV2List : MediaType.ociIndex;
  if (!supported.includes(other)) {
    throw new ImgsignError(
      'UNSUPPORTED',
      `${destName} does not accept manifest lists (accepts ${supported.join(', ')}); copy one instance without --all`,
    );
  }
  return { target: other, instanceType: imageTypeFor(other) };
}
