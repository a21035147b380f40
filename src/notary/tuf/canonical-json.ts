/**
 * Canonical JSON as docker/go `canonical/json` MarshalCanonical writes it
 * (SPEC §7.3): the bytes every TUF signature covers. Object keys sorted by
 * their UTF-8 bytes (not JS UTF-16 order), no whitespace, strings escape only
 * `"` and `\` (control and non-ASCII characters are written raw), numbers
 * must be integers. Verification re-canonicalizes the parsed `signed` value,
 * so the stored bytes themselves never need to be canonical.
 */
import { TrustError } from '../../errors.js';
import {
  JsonSyntaxError,
  parseJsonWithPositions,
  type JsonNode,
} from '../../internal/strict-json.js';

/** Go converts numbers to int64 before writing them; beyond that it overflows. */
const INT64_LIMIT = 2n ** 63n;

function encodeString(s: string): string {
  return `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

function encodeNumber(n: number): string {
  if (!Number.isFinite(n) || !Number.isInteger(n)) {
    throw new TrustError(
      'format',
      `canonical JSON: ${String(n)} is not an integer (TUF metadata numbers must be integers)`,
    );
  }
  const big = BigInt(n);
  if (big >= INT64_LIMIT || big < -INT64_LIMIT) {
    throw new TrustError(
      'format',
      `canonical JSON: ${String(n)} does not fit in a 64-bit integer`,
    );
  }
  return big.toString();
}

/** Sort keys by UTF-8 byte order, as Go sorts its map keys. */
function sortedKeys(keys: string[]): string[] {
  return keys
    .map((k) => ({ k, b: Buffer.from(k, 'utf8') }))
    .sort((x, y) => Buffer.compare(x.b, y.b))
    .map((e) => e.k);
}

function encodeValue(value: unknown, out: string[], depth: number): void {
  if (depth > 100) {
    throw new TrustError('format', 'canonical JSON: nesting too deep');
  }
  if (value === null) out.push('null');
  else if (typeof value === 'boolean') out.push(value ? 'true' : 'false');
  else if (typeof value === 'number') out.push(encodeNumber(value));
  else if (typeof value === 'string') out.push(encodeString(value));
  else if (Array.isArray(value)) {
    out.push('[');
    value.forEach((v, i) => {
      if (i > 0) out.push(',');
      encodeValue(v, out, depth + 1);
    });
    out.push(']');
  } else if (typeof value === 'object') {
    if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
      // Go writes []byte as standard base64.
      out.push(encodeString(Buffer.from(value).toString('base64')));
      return;
    }
    const obj = value as Record<string, unknown>;
    const keys = sortedKeys(
      Object.keys(obj).filter((k) => obj[k] !== undefined),
    );
    out.push('{');
    keys.forEach((k, i) => {
      if (i > 0) out.push(',');
      out.push(encodeString(k), ':');
      encodeValue(obj[k], out, depth + 1);
    });
    out.push('}');
  } else {
    throw new TrustError(
      'format',
      `canonical JSON: cannot encode a value of type ${typeof value}`,
    );
  }
}

/**
 * The canonical bytes of a plain JSON value (objects, arrays, strings,
 * integers, booleans, null; Buffers as base64; undefined members omitted).
 */
export function canonicalJSON(value: unknown): Buffer {
  const out: string[] = [];
  encodeValue(value, out, 0);
  return Buffer.from(out.join(''), 'utf8');
}

function encodeNode(node: JsonNode, out: string[]): void {
  switch (node.kind) {
    case 'object': {
      const byKey = new Map(node.entries.map((e) => [e.key, e.value]));
      const keys = sortedKeys([...byKey.keys()]);
      out.push('{');
      keys.forEach((k, i) => {
        if (i > 0) out.push(',');
        out.push(encodeString(k), ':');
        encodeNode(byKey.get(k)!, out);
      });
      out.push('}');
      return;
    }
    case 'array':
      out.push('[');
      node.items.forEach((v, i) => {
        if (i > 0) out.push(',');
        encodeNode(v, out);
      });
      out.push(']');
      return;
    case 'string':
      out.push(encodeString(node.value));
      return;
    case 'number':
      out.push(encodeNumber(node.value));
      return;
    case 'boolean':
      out.push(node.value ? 'true' : 'false');
      return;
    case 'null':
      out.push('null');
  }
}

/** The canonical bytes of an already parsed JSON node (see parseUntrustedJSON). */
export function canonicalizeNode(node: JsonNode): Buffer {
  const out: string[] = [];
  encodeNode(node, out);
  return Buffer.from(out.join(''), 'utf8');
}

/**
 * Parse untrusted JSON strictly (invalid UTF-8, duplicate keys, trailing
 * data are errors). `what` names the document in errors.
 */
export function parseUntrustedJSON(
  untrusted: Uint8Array | string,
  what: string,
): JsonNode {
  try {
    return parseJsonWithPositions(
      typeof untrusted === 'string' ? untrusted : Buffer.from(untrusted),
    );
  } catch (err) {
    if (err instanceof JsonSyntaxError) {
      throw new TrustError('format', `${what}: invalid JSON: ${err.message}`, {
        cause: err,
      });
    }
    throw err;
  }
}

/** Parse untrusted JSON strictly and return its canonical bytes. */
export function canonicalizeJSON(
  untrusted: Uint8Array | string,
  what = 'JSON document',
): Buffer {
  return canonicalizeNode(parseUntrustedJSON(untrusted, what));
}
