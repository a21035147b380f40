import { describe, expect, it } from 'vitest';
import {
  JsonSyntaxError,
  parseJsonWithPositions,
  toPlainValue,
} from '../../../src/internal/strict-json.js';

function syntaxError(text: string): JsonSyntaxError {
  try {
    parseJsonWithPositions(text);
  } catch (err) {
    if (err instanceof JsonSyntaxError) return err;
    throw err;
  }
  throw new Error(`parsed: ${text}`);
}

describe('parseJsonWithPositions', () => {
  it('records the line and column of values and keys', () => {
    const node = parseJsonWithPositions('{\n  "a": [1,\n   "x"]\n}');
    expect(node.kind).toBe('object');
    if (node.kind !== 'object') return;
    const entry = node.entries[0]!;
    expect(entry.keyPos).toEqual({ line: 2, column: 3 });
    expect(entry.value).toMatchObject({ kind: 'array', line: 2, column: 8 });
    if (entry.value.kind !== 'array') return;
    expect(entry.value.items[1]).toMatchObject({
      value: 'x',
      line: 3,
      column: 4,
    });
  });

  it('rejects a duplicate key at the line of the second occurrence', () => {
    const err = syntaxError('{"a": 1,\n "b": {"c": 1,\n "c": 2}}');
    expect(err.reason).toBe('duplicate key "c"');
    expect(err.pos.line).toBe(3);
  });

  it.each([
    ['', 'unexpected end of JSON input'],
    ['{"a":1} x', 'trailing data after the JSON value'],
    ['{"a":1,}', 'expected a string object key'],
    ["{'a':1}", 'expected a string object key'],
    ['[1 2]', 'expected "," or "]" in an array'],
    ['"\\x"', 'invalid escape in string'],
    ['"a\nb"', 'control character in string'],
    ['{"a":tru}', 'unexpected character'],
  ])('rejects %j (%s)', (text, reason) => {
    expect(syntaxError(text).reason).toBe(reason);
  });

  it('rejects invalid UTF-8', () => {
    expect(() =>
      parseJsonWithPositions(Buffer.from([0x22, 0xff, 0x22])),
    ).toThrow(/invalid UTF-8/);
  });

  it('rejects nesting deeper than the limit instead of overflowing the stack', () => {
    expect(syntaxError('['.repeat(5000)).reason).toBe('nesting too deep');
  });

  it('decodes escapes and keeps key order in plain values', () => {
    const v = toPlainValue(
      parseJsonWithPositions(
        '{"z":"\\u00e9\\n","a":[true,null,-1.5e2],"__proto__":1}',
      ),
    );
    expect(Object.keys(v as object)).toEqual(['z', 'a', '__proto__']);
    expect(v).toMatchObject({ z: 'é\n', a: [true, null, -150] });
  });
});

describe('parseJsonWithPositions with duplicateKeys: keep', () => {
  it('returns both entries of a repeated key, in order, for the caller to name', () => {
    const node = parseJsonWithPositions('{"a":1,"a":2}', {
      duplicateKeys: 'keep',
    });
    expect(node.kind).toBe('object');
    if (node.kind !== 'object') return;
    expect(node.entries.map((e) => [e.key, toPlainValue(e.value)])).toEqual([
      ['a', 1],
      ['a', 2],
    ]);
  });
});
