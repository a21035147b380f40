import {
  isNameOnly,
  parseNamed,
  parseNormalizedNamed,
  referenceName,
  referenceString,
  type DockerReference,
} from '../reference/docker-reference.js';
import type { SignedIdentity } from './types.js';

/**
 * signedIdentity matching (SPEC §3.5, containers/image
 * `policy_reference_match.go`): does a signature claiming the identity
 * `signed` (a string from the verified payload) match the image, known as
 * `intended` (undefined for dir:/oci: images, which have no docker identity)?
 * Any parse failure means "no match", never an error. Pure functions.
 */

function tryParse(s: string): DockerReference | undefined {
  try {
    return parseNormalizedNamed(s);
  } catch {
    return undefined;
  }
}

/** matchRepoDigestOrExact on parsed values (also the core of remapIdentity). */
function repoDigestOrExact(
  intended: DockerReference,
  signed: DockerReference,
): boolean {
  if (isNameOnly(signed)) return false;
  if (intended.tag !== undefined) {
    // Includes tag+digest: the whole string must match.
    return referenceString(signed) === referenceString(intended);
  }
  if (intended.digest !== undefined) {
    // The digest itself was checked against the manifest (and the signature's
    // claimed digest too), so only the repository must agree.
    return referenceName(signed) === referenceName(intended);
  }
  return false;
}

/** Whether `name` equals `prefix` or continues it at a `/` boundary. */
function matchesPrefix(name: string, prefix: string): boolean {
  if (name.length === prefix.length) return name === prefix;
  return name.startsWith(prefix) && name[prefix.length] === '/';
}

/**
 * remapIdentity: the reference the signature must carry for `intended`:
 * the first occurrence of `prefix` in its String() replaced by
 * `signedPrefix`, re-parsed in canonical form (undefined if that fails).
 * Unchanged when the prefix does not apply.
 */
export function remapReference(
  intended: DockerReference,
  prefix: string,
  signedPrefix: string,
): DockerReference | undefined {
  if (!matchesPrefix(referenceName(intended), prefix)) return intended;
  const rewritten = referenceString(intended).replace(
    prefix,
    () => signedPrefix,
  );
  try {
    return parseNamed(rewritten);
  } catch {
    return undefined;
  }
}

export function matchesSignedIdentity(
  identity: SignedIdentity,
  intended: DockerReference | undefined,
  signedValue: string,
): boolean {
  const signed = tryParse(signedValue);
  if (signed === undefined) return false;
  switch (identity.type) {
    case 'matchExact':
      if (intended === undefined) return false;
      if (isNameOnly(intended) || isNameOnly(signed)) return false;
      return referenceString(signed) === referenceString(intended);
    case 'matchRepoDigestOrExact':
      if (intended === undefined) return false;
      return repoDigestOrExact(intended, signed);
    case 'matchRepository':
      if (intended === undefined) return false;
      return referenceName(signed) === referenceName(intended);
    case 'exactReference': {
      const expected = tryParse(identity.dockerReference);
      if (expected === undefined) return false;
      if (isNameOnly(expected) || isNameOnly(signed)) return false;
      return referenceString(signed) === referenceString(expected);
    }
    case 'exactRepository': {
      const expected = tryParse(identity.dockerRepository);
      if (expected === undefined) return false;
      return referenceName(signed) === referenceName(expected);
    }
    case 'remapIdentity': {
      if (intended === undefined) return false;
      const remapped = remapReference(
        intended,
        identity.prefix,
        identity.signedPrefix,
      );
      if (remapped === undefined) return false;
      return repoDigestOrExact(remapped, signed);
    }
  }
}

/**
 * What the policy expects a signature to claim, for messages: the image
 * reference (remapped for remapIdentity) or the configured value.
 */
export function expectedIdentityDescription(
  identity: SignedIdentity,
  intended: DockerReference | undefined,
): string {
  switch (identity.type) {
    case 'exactReference':
      return identity.dockerReference;
    case 'exactRepository':
      return identity.dockerRepository;
    case 'remapIdentity': {
      if (intended === undefined) return '(image has no docker reference)';
      const r = remapReference(
        intended,
        identity.prefix,
        identity.signedPrefix,
      );
      return r === undefined
        ? `${referenceString(intended)} (remapping with signedPrefix ${identity.signedPrefix} gives an invalid reference)`
        : referenceString(r);
    }
    default:
      return intended === undefined
        ? '(image has no docker reference)'
        : referenceString(intended);
  }
}
