import {
  isNameOnly,
  parseNormalizedNamed,
  type DockerReference,
} from '../reference/docker-reference.js';
import { describeError } from '../errors.js';
import type { JsonPath, PolicyWalker } from './parse-walk.js';
import type { JsonNode } from '../internal/strict-json.js';
import type { SignedIdentity, SignedIdentityType } from './types.js';

/** signedIdentity / baseLayerIdentity objects (SPEC §3.5), each with exactly its keys. */
export const SIGNED_IDENTITY_TYPES: readonly SignedIdentityType[] = [
  'matchExact',
  'matchRepoDigestOrExact',
  'matchRepository',
  'exactReference',
  'exactRepository',
  'remapIdentity',
];

const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domainRe = new RegExp(
  `^${domainComponent}(?:\\.${domainComponent})*(?::[0-9]+)?$`,
);
const pathComponent = '[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*';
const pathRe = new RegExp(`^${pathComponent}(?:/${pathComponent})*$`);

/**
 * Why `s` cannot be a remapIdentity prefix/signedPrefix, or undefined.
 * It must be `host[:port]` or `host[:port]/path` with an explicit domain
 * (one with a `.` or `:`, or `localhost`), never a short name such as
 * `busybox`, and never carry a tag or digest (SPEC §3.5, §8).
 * Note: containers/image accepts `shortname` and `ns/shortname` here (they
 * can never match); imgsign rejects them as the SPEC requires.
 */
export function remapPrefixProblem(s: string): string | undefined {
  if (s === '') return 'must not be empty';
  const slash = s.indexOf('/');
  const host = slash === -1 ? s : s.slice(0, slash);
  const rest = slash === -1 ? undefined : s.slice(slash + 1);
  if (!domainRe.test(host)) return `"${host}" is not a valid registry host`;
  if (!host.includes('.') && !host.includes(':') && host !== 'localhost') {
    return `"${s}" does not start with an explicit registry host (write e.g. docker.io/library/${s} or registry.example.com)`;
  }
  if (rest !== undefined && !pathRe.test(rest)) {
    return `"${s}" is not host[:port] or host[:port]/repository-path (no tag, digest, uppercase or trailing "/")`;
  }
  return undefined;
}

export function parseSignedIdentity(
  w: PolicyWalker,
  node: JsonNode,
  path: JsonPath,
): SignedIdentity {
  if (node.kind === 'null') {
    w.fail(path, node, 'must be an identity object, not null');
  }
  const type = w.typeOf(node, path, SIGNED_IDENTITY_TYPES);
  switch (type) {
    case 'matchExact':
    case 'matchRepoDigestOrExact':
    case 'matchRepository':
      w.fields(node, path, ['type'], ['type']);
      return { type };
    case 'exactReference': {
      const f = w.fields(
        node,
        path,
        ['type', 'dockerReference'],
        ['type', 'dockerReference'],
      );
      const e = f.get('dockerReference');
      if (!e) throw new Error('unreachable');
      const p = [...path, 'dockerReference'];
      const value = w.string(e.value, p);
      let ref: DockerReference;
      try {
        ref = parseNormalizedNamed(value);
      } catch (err) {
        w.fail(p, e.value, describeError(err));
      }
      if (isNameOnly(ref)) {
        w.fail(
          p,
          e.value,
          `"${value}" has neither a tag nor a digest; exactReference needs a complete reference (use exactRepository for a whole repository)`,
        );
      }
      return { type, dockerReference: value };
    }
    case 'exactRepository': {
      const f = w.fields(
        node,
        path,
        ['type', 'dockerRepository'],
        ['type', 'dockerRepository'],
      );
      const e = f.get('dockerRepository');
      if (!e) throw new Error('unreachable');
      const p = [...path, 'dockerRepository'];
      const value = w.string(e.value, p);
      try {
        parseNormalizedNamed(value);
      } catch (err) {
        w.fail(p, e.value, describeError(err));
      }
      return { type, dockerRepository: value };
    }
    default: {
      const f = w.fields(
        node,
        path,
        ['type', 'prefix', 'signedPrefix'],
        ['type', 'prefix', 'signedPrefix'],
      );
      const values: string[] = [];
      for (const key of ['prefix', 'signedPrefix']) {
        const e = f.get(key);
        if (!e) throw new Error('unreachable');
        const value = w.string(e.value, [...path, key]);
        const problem = remapPrefixProblem(value);
        if (problem !== undefined) {
          w.fail([...path, key], e.value, `invalid ${key}: ${problem}`);
        }
        values.push(value);
      }
      return {
        type: 'remapIdentity',
        prefix: values[0] ?? '',
        signedPrefix: values[1] ?? '',
      };
    }
  }
}
