import { describe, expect, it } from 'vitest';
import {
  canonicalJSON,
  canonicalizeJSON,
} from '../../../../src/notary/tuf/canonical-json.js';

const text = (b: Buffer): string => b.toString('utf8');

describe('canonical JSON (docker/go MarshalCanonical)', () => {
  it('sorts keys by UTF-8 bytes, not UTF-16 code units', () => {
    // In UTF-8, U+FF61 (EF BD A1) sorts before U+1F600 (F0 9F 98 80).
    const value = { '\u{1F600}': 1, '\uFF61': 2, b: 3, B: 4, a: 5 };
    const out = text(canonicalJSON(value));
    expect(out).toBe('{"B":4,"a":5,"b":3,"\uFF61":2,"\u{1F600}":1}');
    // JS default sort would put the surrogate pair (0xD83D) before U+FF61.
    expect(Object.keys(value).sort()).toEqual([
      'B',
      'a',
      'b',
      '\u{1F600}',
      '\uFF61',
    ]);
  });

  it('escapes only quote and backslash; control and non-ASCII are raw', () => {
    const out = canonicalJSON({ s: 'a"b\\c\n\t\u0001é<>&' });
    expect(out).toEqual(
      Buffer.from('{"s":"a\\"b\\\\c\n\t\u0001é<>&"}', 'utf8'),
    );
  });

  it('writes no whitespace and integers only', () => {
    expect(text(canonicalJSON({ a: [1, -2, 0, true, null], b: {} }))).toBe(
      '{"a":[1,-2,0,true,null],"b":{}}',
    );
    expect(() => canonicalJSON({ a: 1.5 })).toThrow(/not an integer/);
    expect(() => canonicalJSON({ a: NaN })).toThrow(/not an integer/);
    expect(() => canonicalJSON({ a: Infinity })).toThrow(/not an integer/);
  });

  it('re-canonicalizes parsed text (integral floats as Go float64 → int)', () => {
    expect(text(canonicalizeJSON('{ "z": 1.0, "a" : [ 1e3 ] }'))).toBe(
      '{"a":[1000],"z":1}',
    );
    expect(text(canonicalizeJSON('{"a":"\\u00e9\\/"}'))).toBe('{"a":"é/"}');
  });

  it('rejects duplicate keys, fractions and trailing data in parsed input', () => {
    expect(() => canonicalizeJSON('{"a":1,"a":2}')).toThrow(
      /duplicate key "a"/,
    );
    expect(() => canonicalizeJSON('{"a":0.5}')).toThrow(/not an integer/);
    expect(() => canonicalizeJSON('{"a":1} x')).toThrow(/trailing data/);
  });

  it('encodes buffers as base64 and omits undefined members', () => {
    expect(
      text(canonicalJSON({ b: Buffer.from([1, 2, 3]), u: undefined })),
    ).toBe('{"b":"AQID"}');
  });
});
