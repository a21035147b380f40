import { InvalidSignatureError } from '../errors.js';
import { isValidDigest } from '../digest/digest.js';
import {
  JsonSyntaxError,
  parseJsonWithPositions,
  type JsonNode,
} from '../internal/strict-json.js';

/**
 * Simple-signing claims (SPEC §1.1, §1.2): the JSON an OpenPGP signature
 * wraps. Nothing here is trusted: parseClaims only runs after cryptographic
 * verification, and the caller still has to match digest and identity.
 */
export const SIGNATURE_TYPE = 'atomic container signature';

export interface ClaimsInput {
  dockerManifestDigest: string;
  dockerReference: string;
  creator?: string;
  timestamp?: number;
}

/** Claims read from a payload; untrusted until digest and identity are matched (§1.4). */
export interface UntrustedClaims {
  dockerManifestDigest: string;
  dockerReference: string;
  creator?: string;
  timestamp?: number;
}

/** A JSON string as Go's json.Marshal writes it (HTML-safe, U+2028/9 escaped). */
export function goJsonString(s: string): string {
  let out = '"';
  const wellFormed = s.replace(
    /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    '\uFFFD',
  );
  for (const ch of wellFormed) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (
      c < 0x20 ||
      ch === '<' ||
      ch === '>' ||
      ch === '&' ||
      c === 0x2028 ||
      c === 0x2029
    ) {
      out += `\\u${c.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return `${out}"`;
}

/** The exact payload bytes to sign: compact, keys sorted, as c/image produces. */
export function serializeClaims(c: ClaimsInput): Buffer {
  if (c.dockerManifestDigest === '' || c.dockerReference === '') {
    throw new InvalidSignatureError(
      'cannot create a signature: the manifest digest and docker reference must be non-empty',
    );
  }
  const optional: string[] = [];
  if (c.creator !== undefined) {
    optional.push(`"creator":${goJsonString(c.creator)}`);
  }
  if (c.timestamp !== undefined) {
    if (!Number.isSafeInteger(c.timestamp)) {
      throw new InvalidSignatureError(
        `cannot create a signature: timestamp ${c.timestamp} is not an integer`,
      );
    }
    optional.push(`"timestamp":${c.timestamp}`);
  }
  const json =
    `{"critical":{"identity":{"docker-reference":${goJsonString(c.dockerReference)}},` +
    `"image":{"docker-manifest-digest":${goJsonString(c.dockerManifestDigest)}},` +
    `"type":${goJsonString(SIGNATURE_TYPE)}},"optional":{${optional.join(',')}}}`;
  return Buffer.from(json, 'utf8');
}

function invalid(why: string): InvalidSignatureError {
  return new InvalidSignatureError(`invalid signature claims: ${why}`);
}

const kindName = (v: JsonNode): string => v.kind;

/**
 * The members of an object that must have exactly `required` (or, with
 * `required === undefined`, any) keys; duplicates always rejected.
 */
function members(
  v: JsonNode | undefined,
  field: string,
  required?: string[],
): Map<string, JsonNode> {
  if (v === undefined) throw invalid(`field ${field} is missing`);
  if (v.kind !== 'object') {
    throw invalid(`field ${field} must be a JSON object, not ${kindName(v)}`);
  }
  const map = new Map<string, JsonNode>();
  for (const { key, value } of v.entries) {
    const name = field === '' ? key : `${field}.${key}`;
    if (map.has(key)) throw invalid(`duplicate field ${name}`);
    if (required !== undefined && !required.includes(key)) {
      throw invalid(`unknown field ${name}`);
    }
    map.set(key, value);
  }
  for (const key of required ?? []) {
    if (!map.has(key)) {
      throw invalid(
        `field ${field === '' ? key : `${field}.${key}`} is missing`,
      );
    }
  }
  return map;
}

/** A string member of `critical` (null is rejected there, SPEC §1.2). */
function criticalString(v: JsonNode | undefined, field: string): string {
  if (v === undefined) throw invalid(`field ${field} is missing`);
  if (v.kind !== 'string') {
    throw invalid(`field ${field} must be a string, not ${kindName(v)}`);
  }
  return v.value;
}

/** Strictly parse a verified-but-untrusted payload (SPEC §1.2). */
export function parseClaims(untrusted: Buffer): UntrustedClaims {
  let root: JsonNode;
  try {
    // Duplicates are kept so that members() can name the repeated field.
    root = parseJsonWithPositions(untrusted, { duplicateKeys: 'keep' });
  } catch (err) {
    if (err instanceof JsonSyntaxError) {
      throw invalid(`payload is not valid JSON: ${err.message}`);
    }
    throw err;
  }
  if (root.kind !== 'object') {
    throw invalid(`payload must be a JSON object, not ${kindName(root)}`);
  }
  const top = members(root, '', ['critical', 'optional']);
  const critical = members(top.get('critical'), 'critical', [
    'type',
    'image',
    'identity',
  ]);
  const type = criticalString(critical.get('type'), 'critical.type');
  if (type !== SIGNATURE_TYPE) {
    throw invalid(
      `field critical.type is ${JSON.stringify(type)}, expected "${SIGNATURE_TYPE}"`,
    );
  }
  const image = members(critical.get('image'), 'critical.image', [
    'docker-manifest-digest',
  ]);
  const digest = criticalString(
    image.get('docker-manifest-digest'),
    'critical.image.docker-manifest-digest',
  );
  if (!isValidDigest(digest)) {
    throw invalid(
      `field critical.image.docker-manifest-digest ${JSON.stringify(digest)} is not a valid digest`,
    );
  }
  const identity = members(critical.get('identity'), 'critical.identity', [
    'docker-reference',
  ]);
  const reference = criticalString(
    identity.get('docker-reference'),
    'critical.identity.docker-reference',
  );
  const claims: UntrustedClaims = {
    dockerManifestDigest: digest,
    dockerReference: reference,
  };
  const optional = members(top.get('optional'), 'optional');
  const creator = optional.get('creator');
  if (creator !== undefined && creator.kind !== 'null') {
    if (creator.kind !== 'string') {
      throw invalid(
        `field optional.creator must be a string, not ${kindName(creator)}`,
      );
    }
    claims.creator = creator.value;
  }
  const timestamp = optional.get('timestamp');
  if (timestamp !== undefined && timestamp.kind !== 'null') {
    if (timestamp.kind !== 'number') {
      throw invalid(
        `field optional.timestamp must be a number, not ${kindName(timestamp)}`,
      );
    }
    const t = timestamp.value;
    if (!Number.isInteger(t) || Math.abs(t) >= 2 ** 63) {
      throw invalid(
        `field optional.timestamp ${timestamp.raw} is not a 64-bit integer`,
      );
    }
    claims.timestamp = t;
  }
  return claims;
}
