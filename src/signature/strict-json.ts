/**
 * A JSON parser for untrusted signature payloads that keeps what JSON.parse
 * throws away: duplicate object keys (objects are entry lists) and the raw
 * text of numbers. Invalid UTF-8, trailing data and nesting deeper than
 * MAX_DEPTH are errors. Used by payload.ts (SPEC §1.2).
 */
export type JsonValue =
  | { kind: 'object'; entries: [string, JsonValue][] }
  | { kind: 'array'; items: JsonValue[] }
  | { kind: 'string'; value: string }
  | { kind: 'number'; raw: string; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' };

const MAX_DEPTH = 64;
const numberRe = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

export class StrictJsonError extends Error {}

export function parseStrictJson(untrusted: Buffer): JsonValue {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(untrusted);
  } catch {
    throw new StrictJsonError('not valid UTF-8');
  }
  let pos = 0;
  const fail = (what: string): never => {
    throw new StrictJsonError(`${what} at offset ${pos}`);
  };
  const ws = (): void => {
    while (pos < text.length && ' \t\n\r'.includes(text[pos] ?? '')) pos++;
  };
  const str = (): string => {
    pos++; // opening quote
    let out = '';
    for (;;) {
      const c = text[pos];
      if (c === undefined) return fail('unterminated string');
      if (c === '"') {
        pos++;
        return out;
      }
      if (c === '\\') {
        const e = text[pos + 1];
        pos += 2;
        const simple: Record<string, string> = {
          '"': '"',
          '\\': '\\',
          '/': '/',
          b: '\b',
          f: '\f',
          n: '\n',
          r: '\r',
          t: '\t',
        };
        if (e !== undefined && simple[e] !== undefined) out += simple[e];
        else if (e === 'u') {
          const hex = text.slice(pos, pos + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('invalid \\u escape');
          out += String.fromCharCode(parseInt(hex, 16));
          pos += 4;
        } else fail('invalid escape');
        continue;
      }
      if (c < ' ') fail('control character in string');
      out += c;
      pos++;
    }
  };
  const value = (depth: number): JsonValue => {
    if (depth > MAX_DEPTH) fail('nesting too deep');
    ws();
    const c = text[pos];
    if (c === '{') {
      pos++;
      const entries: [string, JsonValue][] = [];
      ws();
      if (text[pos] === '}') {
        pos++;
        return { kind: 'object', entries };
      }
      for (;;) {
        ws();
        if (text[pos] !== '"') fail('expected an object key');
        const key = str();
        ws();
        if (text[pos] !== ':') fail('expected ":"');
        pos++;
        entries.push([key, value(depth + 1)]);
        ws();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === '}') {
          pos++;
          return { kind: 'object', entries };
        }
        fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      pos++;
      const items: JsonValue[] = [];
      ws();
      if (text[pos] === ']') {
        pos++;
        return { kind: 'array', items };
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
          return { kind: 'array', items };
        }
        fail('expected "," or "]"');
      }
    }
    if (c === '"') return { kind: 'string', value: str() };
    for (const [lit, v] of [
      ['true', { kind: 'boolean', value: true }],
      ['false', { kind: 'boolean', value: false }],
      ['null', { kind: 'null' }],
    ] as const) {
      if (text.startsWith(lit, pos)) {
        pos += lit.length;
        return v;
      }
    }
    numberRe.lastIndex = pos;
    const m = numberRe.exec(text);
    if (m) {
      pos += m[0].length;
      return { kind: 'number', raw: m[0], value: Number(m[0]) };
    }
    return fail('unexpected character');
  };
  const result = value(0);
  ws();
  if (pos !== text.length) fail('trailing data after the JSON value');
  return result;
}
