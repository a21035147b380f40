import { ImgsignError } from '../errors.js';
import { isValidDigest } from '../digest/digest.js';

/**
 * Docker references, as containers/image `docker/reference` parses them
 * (SPEC §0). Written here rather than imported: the grammar is small and the
 * normalisation rules (docker.io, library/) must match the Go code exactly.
 */
export interface DockerReference {
  /** Registry host, possibly with :port (e.g. `docker.io`, `localhost:5000`). */
  readonly domain: string;
  /** Repository path without the domain (e.g. `library/busybox`). */
  readonly path: string;
  readonly tag?: string;
  readonly digest?: string;
}

const pathComponent = '[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*';
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domainRe = `${domainComponent}(?:\\.${domainComponent})*(?::[0-9]+)?`;
const tagRe = '[\\w][\\w.-]{0,127}';
const digestRe =
  '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';
const nameRe = `(?:${domainRe}/)?${pathComponent}(?:/${pathComponent})*`;
const referenceRe = new RegExp(
  `^(${nameRe})(?::(${tagRe}))?(?:@(${digestRe}))?$`,
);
const anchoredDomain = new RegExp(`^${domainRe}$`);
const anchoredPath = new RegExp(`^${pathComponent}(?:/${pathComponent})*$`);
const hex64 = /^[a-f0-9]{64}$/;

const NAME_TOTAL_LENGTH_MAX = 255;
export const DEFAULT_DOMAIN = 'docker.io';

function invalid(input: string, why: string): ImgsignError {
  return new ImgsignError(
    'INVALID_REFERENCE',
    `invalid docker reference "${input}": ${why}`,
  );
}

/** splitDockerDomain: the part before the first `/` is a domain only if it looks like one. */
function splitDomain(name: string): { domain: string; remainder: string } {
  const slash = name.indexOf('/');
  const first = slash === -1 ? '' : name.slice(0, slash);
  let domain = DEFAULT_DOMAIN;
  let remainder = name;
  if (
    slash !== -1 &&
    (first.includes('.') || first.includes(':') || first === 'localhost')
  ) {
    domain = first;
    remainder = name.slice(slash + 1);
  }
  if (domain === 'index.docker.io') domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) {
    remainder = `library/${remainder}`;
  }
  return { domain, remainder };
}

/** ParseNormalizedNamed: accepts short forms (`busybox`), adds no default tag. */
export function parseNormalizedNamed(input: string): DockerReference {
  if (hex64.test(input)) {
    throw invalid(
      input,
      'a 64-character hex string is an image ID, not a name',
    );
  }
  const { domain, remainder } = splitDomain(input);
  const colon = remainder.indexOf(':');
  const remoteName = colon === -1 ? remainder : remainder.slice(0, colon);
  if (remoteName !== remoteName.toLowerCase()) {
    throw invalid(input, `repository name "${remoteName}" must be lowercase`);
  }
  return parseCanonical(`${domain}/${remainder}`, input);
}

/** ParseNamed: ParseNormalizedNamed, but only the canonical, fully expanded form. */
export function parseNamed(input: string): DockerReference {
  const ref = parseNormalizedNamed(input);
  if (referenceString(ref) !== input) {
    throw invalid(
      input,
      'not in canonical form (expected a fully qualified reference)',
    );
  }
  return ref;
}

function parseCanonical(full: string, original: string): DockerReference {
  const m = referenceRe.exec(full);
  if (!m) throw invalid(original, 'does not match the reference grammar');
  const name = m[1] ?? '';
  if (name.length > NAME_TOTAL_LENGTH_MAX) {
    throw invalid(
      original,
      `repository name must not be longer than ${NAME_TOTAL_LENGTH_MAX} characters`,
    );
  }
  const slash = name.indexOf('/');
  const domain = name.slice(0, slash);
  const path = name.slice(slash + 1);
  if (!anchoredDomain.test(domain) || !anchoredPath.test(path)) {
    throw invalid(original, 'does not match the reference grammar');
  }
  const digest = m[3];
  if (digest !== undefined && !isValidDigest(digest)) {
    throw invalid(original, `invalid digest "${digest}"`);
  }
  return {
    domain,
    path,
    ...(m[2] !== undefined ? { tag: m[2] } : {}),
    ...(digest !== undefined ? { digest } : {}),
  };
}

/** `domain/path`, e.g. `docker.io/library/busybox`. */
export function referenceName(ref: DockerReference): string {
  return `${ref.domain}/${ref.path}`;
}

/** `Name()[:tag][@digest]`. */
export function referenceString(ref: DockerReference): string {
  return (
    referenceName(ref) +
    (ref.tag !== undefined ? `:${ref.tag}` : '') +
    (ref.digest !== undefined ? `@${ref.digest}` : '')
  );
}

export function isNameOnly(ref: DockerReference): boolean {
  return ref.tag === undefined && ref.digest === undefined;
}

/** The reference with `:latest` added when it has neither tag nor digest (docker:// semantics). */
export function withDefaultTag(ref: DockerReference): DockerReference {
  return isNameOnly(ref) ? { ...ref, tag: 'latest' } : ref;
}

/** Reference naming the same repository at `digest` (tag dropped). */
export function withDigest(
  ref: DockerReference,
  digest: string,
): DockerReference {
  return { domain: ref.domain, path: ref.path, digest };
}

/**
 * Scopes to look up in policy.json and registries.d for `ref`, most specific
 * first (SPEC §3.3): the identity, the repository and each parent namespace
 * down to the host, then `*.`-wildcards of the port-less host.
 */
export function policyConfigurationNamespaces(ref: DockerReference): string[] {
  const out: string[] = [];
  let name = referenceName(ref);
  out.push(name);
  for (
    let slash = name.lastIndexOf('/');
    slash > 0;
    slash = name.lastIndexOf('/')
  ) {
    name = name.slice(0, slash);
    out.push(name);
  }
  const host = ref.domain.replace(/:[0-9]+$/, '');
  let rest = host;
  for (let dot = rest.indexOf('.'); dot !== -1; dot = rest.indexOf('.')) {
    rest = rest.slice(dot + 1);
    out.push(`*.${rest}`);
  }
  return out;
}

/** The identity scope: `Name()` + `:tag` or `@digest` (tag wins when both are present). */
export function policyConfigurationIdentity(ref: DockerReference): string {
  if (ref.tag !== undefined) return `${referenceName(ref)}:${ref.tag}`;
  if (ref.digest !== undefined) return `${referenceName(ref)}@${ref.digest}`;
  return referenceName(ref);
}
