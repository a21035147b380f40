import { PolicyFormatError } from '../errors.js';
import { parseSignedIdentity } from './parse-identity.js';
import { parseSigstoreSigned } from './parse-sigstore.js';
import { PolicyWalker, type JsonPath } from './parse-walk.js';
import { scopeProblem } from './scope-validation.js';
import {
  JsonSyntaxError,
  parseJsonWithPositions,
  type JsonNode,
} from '../internal/strict-json.js';
import {
  KEY_TYPES,
  type KeyType,
  type Policy,
  type PolicyRequirement,
  type PolicyRequirements,
  type RequirementType,
  type SignedBy,
  type TransportScopes,
} from './types.js';

/**
 * Strict policy.json parsing (SPEC §3.2, containers/image
 * `policy_config.go`): unknown or duplicate keys, wrong types, a missing or
 * null `default`, empty requirement lists and invalid scopes reject the
 * whole file, with a PolicyFormatError naming the file, JSON path and line.
 * imgsign is stricter than containers/image in one way: `null` is never
 * accepted in place of a string (Go silently reads it as "").
 */

/** Largest policy file imgsign reads. */
export const MAX_POLICY_BYTES = 4 * 1024 * 1024;

const REQUIREMENT_TYPES: readonly RequirementType[] = [
  'insecureAcceptAnything',
  'reject',
  'signedBy',
  'signedBaseLayer',
  'sigstoreSigned',
];

function parseSignedBy(
  w: PolicyWalker,
  node: JsonNode,
  path: JsonPath,
): SignedBy {
  const f = w.fields(
    node,
    path,
    ['type', 'keyType', 'keyPath', 'keyPaths', 'keyData', 'signedIdentity'],
    ['type'],
  );
  const keyTypeEntry = f.get('keyType');
  if (!keyTypeEntry) {
    w.fail(path, node, `missing required key "keyType" (use "GPGKeys")`);
  }
  const keyType = w.string(keyTypeEntry.value, [...path, 'keyType']);
  if (!(KEY_TYPES as readonly string[]).includes(keyType)) {
    w.fail(
      [...path, 'keyType'],
      keyTypeEntry.value,
      `invalid keyType "${keyType}" (one of ${KEY_TYPES.join(', ')}; only GPGKeys is implemented)`,
    );
  }
  const sources = ['keyPath', 'keyPaths', 'keyData'].filter((k) => f.has(k));
  if (sources.length !== 1) {
    w.fail(
      path,
      node,
      sources.length === 0
        ? 'exactly one of keyPath, keyPaths and keyData must be specified; none is present'
        : `exactly one of keyPath, keyPaths and keyData must be specified; found ${sources.join(' and ')}`,
    );
  }
  const out: SignedBy = {
    type: 'signedBy',
    keyType: keyType as KeyType,
    signedIdentity: { type: 'matchRepoDigestOrExact' },
  };
  const keyPath = f.get('keyPath');
  const keyPaths = f.get('keyPaths');
  const keyData = f.get('keyData');
  if (keyPath)
    out.keyPath = w.nonEmptyString(keyPath.value, [...path, 'keyPath']);
  if (keyPaths)
    out.keyPaths = w.stringArray(keyPaths.value, [...path, 'keyPaths']);
  if (keyData) out.keyData = w.base64(keyData.value, [...path, 'keyData']);
  const si = f.get('signedIdentity');
  if (si) {
    out.signedIdentity = parseSignedIdentity(w, si.value, [
      ...path,
      'signedIdentity',
    ]);
  }
  return out;
}

function parseRequirement(
  w: PolicyWalker,
  node: JsonNode,
  path: JsonPath,
): PolicyRequirement {
  const type = w.typeOf(node, path, REQUIREMENT_TYPES) as RequirementType;
  switch (type) {
    case 'insecureAcceptAnything':
    case 'reject':
      w.fields(node, path, ['type'], ['type']);
      return { type };
    case 'signedBy':
      return parseSignedBy(w, node, path);
    case 'signedBaseLayer': {
      const f = w.fields(
        node,
        path,
        ['type', 'baseLayerIdentity'],
        ['type', 'baseLayerIdentity'],
      );
      const bli = f.get('baseLayerIdentity');
      if (!bli) throw new Error('unreachable');
      return {
        type,
        baseLayerIdentity: parseSignedIdentity(w, bli.value, [
          ...path,
          'baseLayerIdentity',
        ]),
      };
    }
    case 'sigstoreSigned':
      return parseSigstoreSigned(w, node, path);
  }
}

function parseRequirements(
  w: PolicyWalker,
  node: JsonNode,
  path: JsonPath,
): PolicyRequirements {
  if (node.kind !== 'array') {
    w.fail(
      path,
      node,
      node.kind === 'null'
        ? 'the requirement list must not be null'
        : 'must be an array of requirements',
    );
  }
  if (node.items.length === 0) {
    w.fail(
      path,
      node,
      'the requirement list must not be empty (use [{"type":"reject"}] to reject)',
    );
  }
  const out: PolicyRequirements = [];
  node.items.forEach((item, i) => {
    const req = w.attempt(() => parseRequirement(w, item, [...path, i]));
    if (req) out.push(req);
  });
  return out;
}

function parseScopes(
  w: PolicyWalker,
  transport: string,
  node: JsonNode,
  path: JsonPath,
): TransportScopes {
  const scopes: TransportScopes = new Map();
  for (const e of w.object(node, path)) {
    w.attempt(() => {
      const problem = scopeProblem(transport, e.key);
      if (problem !== undefined) {
        w.fail(
          [...path, e.key],
          e.keyPos,
          `invalid scope "${e.key}" for transport "${transport}": ${problem}`,
        );
      }
      scopes.set(e.key, parseRequirements(w, e.value, [...path, e.key]));
    });
  }
  return scopes;
}

/** Parse policy.json bytes. `source` names the file in error messages. */
export function parsePolicy(bytes: Buffer | string, source: string): Policy {
  return parseWith(new PolicyWalker(source), bytes);
}

/**
 * Every error in a policy file (`policy lint`), as far as the structure
 * allows: each scope and each requirement is checked even after an error
 * in another. An empty list means the file is valid.
 */
export function lintPolicy(
  bytes: Buffer | string,
  source: string,
): PolicyFormatError[] {
  const errors: PolicyFormatError[] = [];
  try {
    parseWith(new PolicyWalker(source, errors), bytes);
  } catch (err) {
    if (!(err instanceof PolicyFormatError)) throw err;
    errors.push(err);
  }
  return errors;
}

function parseWith(w: PolicyWalker, bytes: Buffer | string): Policy {
  let root: JsonNode;
  try {
    root = parseJsonWithPositions(bytes);
  } catch (err) {
    if (err instanceof JsonSyntaxError) {
      throw new PolicyFormatError(
        `invalid policy in ${w.source}: ${err.reason === 'unexpected end of JSON input' && err.pos.line === 1 && err.pos.column === 1 ? 'the file is empty' : `${err.reason}`} (line ${err.pos.line}, column ${err.pos.column})`,
      );
    }
    throw err;
  }
  const f = w.fields(root, [], ['default', 'transports']);
  const def = f.get('default');
  const policy: Policy = { default: [], transports: new Map() };
  w.attempt(() => {
    if (!def) {
      w.fail(
        [],
        root,
        'missing required key "default" (the fallback requirements)',
      );
    }
    policy.default = parseRequirements(w, def.value, ['default']);
  });
  const transports = f.get('transports');
  if (transports) {
    for (const e of w.object(transports.value, ['transports'])) {
      w.attempt(() =>
        policy.transports.set(
          e.key,
          parseScopes(w, e.key, e.value, ['transports', e.key]),
        ),
      );
    }
  }
  return policy;
}
