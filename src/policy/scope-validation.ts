import { isValidDigest } from '../digest/digest.js';

/**
 * Which policy.json scope keys each transport accepts (SPEC §3.3), after the
 * transports' `ValidatePolicyConfigurationScope` in containers/image. Kept
 * here as a table rather than asked of the transport registry, so that
 * whether a policy file is valid never depends on which transport modules
 * happen to be loaded. `""` (the transport default) is always valid and is
 * not passed in. Returns undefined when valid, else why not.
 */
type ScopeValidator = (scope: string) => string | undefined;

/** `/a/b`: absolute, not `/`, and already clean (what filepath.Clean would not change). */
function absoluteCleanPath(scope: string): string | undefined {
  if (!scope.startsWith('/')) return 'must be an absolute path';
  if (scope === '/') {
    return 'the scope "/" is not allowed: use the transport default scope ""';
  }
  const parts = scope.slice(1).split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..')) {
    return 'must be a clean path (no "//", ".", ".." or trailing "/")';
  }
  return undefined;
}

const atomicScope = /^[^/]*(\/[^:/]*(\/[^:/]*(:[^:/]*)?)?)?$/;

const validators: Record<string, ScopeValidator> = {
  // Any string: a malformed key simply never matches (c/image does the same).
  docker: () => undefined,
  atomic: (scope) =>
    atomicScope.test(scope)
      ? undefined
      : 'must be REGISTRY[/NAMESPACE[/STREAM[:TAG]]]',
  'docker-daemon': (scope) =>
    isValidDigest(scope)
      ? 'an image ID (algo:digest) cannot be used as a scope'
      : undefined,
  dir: absoluteCleanPath,
  oci: absoluteCleanPath,
  'oci-archive': absoluteCleanPath,
  sif: absoluteCleanPath,
  'docker-archive': () => 'only the default scope "" is supported',
  tarball: () => 'only the default scope "" is supported',
};

/** Transports whose scopes imgsign validates; other transport names are accepted unchecked. */
export function knownPolicyTransports(): string[] {
  return Object.keys(validators);
}

/** Why `scope` is invalid for `transport`, or undefined if it is valid (or the transport unknown). */
export function scopeProblem(
  transport: string,
  scope: string,
): string | undefined {
  if (scope === '') return undefined;
  const validate = Object.hasOwn(validators, transport)
    ? validators[transport]
    : undefined;
  return validate?.(scope);
}
