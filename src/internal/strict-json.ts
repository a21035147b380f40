/**
 * A JSON parser for untrusted documents (policy.json, signature payloads)
 * that keeps what JSON.parse throws away: the position of every value (for
 * "line N" in error messages), key order, the raw text of numbers, and
 * duplicate keys — an error by default, as in containers/image
 * `ParanoidUnmarshalJSONObject` (SPEC §1.2, §3.2), or kept as separate
 * entries for a caller that names the duplicated field itself. Invalid
 * UTF-8, trailing data and nesting deeper than MAX_DEPTH are errors too.
 */
export interface JsonPosition {
  /** 1-based line and column of the first character of the value or key. */
  line: number;
  column: number;
}

export interface JsonEntry {
  key: string;
  keyPos: JsonPosition;
  value: JsonNode;
}

export type JsonNode = JsonPosition &
  (
    | { kind: 'object'; entries: JsonEntry[] }
    | { kind: 'array'; items: JsonNode[] }
    | { kind: 'string'; value: string }
    | { kind: 'number'; raw: string; value: number }
    | { kind: 'boolean'; value: boolean }
    | { kind: 'null' }
  );

export type JsonKind = JsonNode['kind'];

const MAX_DEPTH = 100;
const numberRe = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const escapes: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/** A syntax error (or duplicate key) at a position in the document. */
export class JsonSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly pos: JsonPosition,
  ) {
    super(`${reason} at line ${pos.line}, column ${pos.column}`);
  }
}

export interface ParseJsonOptions {
  /** 'reject' (default): a repeated key is a syntax error; 'keep': both entries are returned. */
  duplicateKeys?: 'reject' | 'keep';
}

export function parseJsonWithPositions(
  input: Buffer | string,
  options: ParseJsonOptions = {},
): JsonNode {
  const rejectDuplicates = options.duplicateKeys !== 'keep';
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch {
      throw new JsonSyntaxError('invalid UTF-8', { line: 1, column: 1 });
    }
  }
  let pos = 0;
  let line = 1;
  let lineStart = 0;
  const here = (): JsonPosition => ({ line, column: pos - lineStart + 1 });
  const fail = (reason: string, at: JsonPosition = here()): never => {
    throw new JsonSyntaxError(reason, at);
  };
  const ws = (): void => {
    for (;;) {
      const c = text[pos];
      if (c === '\n') {
        pos++;
        line++;
        lineStart = pos;
      } else if (c === ' ' || c === '\t' || c === '\r') pos++;
      else return;
    }
  };
  const str = (): string => {
    pos++; // the opening quote
    let out = '';
    for (;;) {
      const c = text[pos];
      if (c === undefined) return fail('unterminated string');
      if (c === '"') {
        pos++;
        return out;
      }
      if (c === '\\') {
        const e = text[pos + 1] ?? '';
        const simple = escapes[e];
        if (simple !== undefined) {
          out += simple;
          pos += 2;
        } else if (e === 'u') {
          const hex = text.slice(pos + 2, pos + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('invalid \\u escape');
          out += String.fromCharCode(parseInt(hex, 16));
          pos += 6;
        } else fail('invalid escape in string');
        continue;
      }
      if (c < ' ') fail('control character in string');
      out += c;
      pos++;
    }
  };
  const value = (depth: number): JsonNode => {
    ws();
    const at = here();
    if (depth > MAX_DEPTH) fail('nesting too deep');
    const c = text[pos];
    if (c === '{') {
      pos++;
      const entries: JsonEntry[] = [];
      const seen = new Set<string>();
      ws();
      if (text[pos] === '}') {
        pos++;
        return { kind: 'object', entries, ...at };
      }
      for (;;) {
        ws();
        const keyPos = here();
        if (text[pos] !== '"') fail('expected a string object key');
        const key = str();
        if (rejectDuplicates && seen.has(key)) {
          fail(`duplicate key "${key}"`, keyPos);
        }
        seen.add(key);
        ws();
        if (text[pos] !== ':') fail('expected ":" after an object key');
        pos++;
        entries.push({ key, keyPos, value: value(depth + 1) });
        ws();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === '}') {
          pos++;
          return { kind: 'object', entries, ...at };
        }
        fail('expected "," or "}" in an object');
      }
    }
    if (c === '[') {
      pos++;
      const items: JsonNode[] = [];
      ws();
      if (text[pos] === ']') {
        pos++;
        return { kind: 'array', items, ...at };
      }
      for (;;) {
        items.push(value(depth + 1));
        ws();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === ']') {
          pos++;
          return { kind: 'array', items, ...at };
        }
        fail('expected "," or "]" in an array');
      }
    }
    if (c === '"') return { kind: 'string', value: str(), ...at };
    if (text.startsWith('true', pos)) {
      pos += 4;
      return { kind: 'boolean', value: true, ...at };
    }
    if (text.startsWith('false', pos)) {
      pos += 5;
      return { kind: 'boolean', value: false, ...at };
    }
    if (text.startsWith('null', pos)) {
      pos += 4;
      return { kind: 'null', ...at };
    }
    numberRe.lastIndex = pos;
    const m = numberRe.exec(text);
    if (m) {
      pos += m[0].length;
      return { kind: 'number', raw: m[0], value: Number(m[0]), ...at };
    }
    return fail(
      c === undefined ? 'unexpected end of JSON input' : 'unexpected character',
    );
  };
  const result = value(0);
  ws();
  if (pos !== text.length) fail('trailing data after the JSON value');
  return result;
}

/** The plain JavaScript value of a node (objects keep key order). */
export function toPlainValue(node: JsonNode): unknown {
  switch (node.kind) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const e of node.entries) {
        Object.defineProperty(out, e.key, {
          value: toPlainValue(e.value),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
    case 'array':
      return node.items.map(toPlainValue);
    case 'null':
      return null;
    default:
      return node.value;
  }
}
