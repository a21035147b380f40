import { describe, expect, it } from 'vitest';
import {
  parseClaims,
  serializeClaims,
} from '../../../src/signature/payload.js';

const D =
  'sha256:20bf21ed457b390829cdbeec8795a7bea1626991fda603e0d01b4e7f60427e55';
const valid = (
  optional = '{"creator":"atomic ","timestamp":1458239713}',
): string =>
  `{"critical":{"identity":{"docker-reference":"testing/manifest"},"image":{"docker-manifest-digest":"${D}"},"type":"atomic container signature"},"optional":${optional}}`;

describe('serializeClaims', () => {
  it('writes compact, sorted JSON exactly as c/image does', () => {
    const out = serializeClaims({
      dockerManifestDigest: D,
      dockerReference: 'testing/manifest',
      creator: 'atomic ',
      timestamp: 1458239713,
    });
    expect(out.toString()).toBe(valid());
  });
  it('escapes <, > and & like Go json.Marshal', () => {
    const out = serializeClaims({
      dockerManifestDigest: D,
      dockerReference: 'a/b:c',
      creator: '<x>&"\\\n\u0001\u2028',
    }).toString();
    expect(out).toContain(
      '"creator":"\\u003cx\\u003e\\u0026\\"\\\\\\n\\u0001\\u2028"',
    );
    expect(JSON.parse(out).optional.creator).toBe('<x>&"\\\n\u0001\u2028');
  });
  it('omits absent optional fields', () => {
    const out = serializeClaims({
      dockerManifestDigest: D,
      dockerReference: 'a/b:c',
    });
    expect(out.toString()).toMatch(/"optional":\{\}\}$/);
  });
  it('round-trips through parseClaims', () => {
    const c = {
      dockerManifestDigest: D,
      dockerReference: 'x/y:z',
      creator: 'imgsign 1',
      timestamp: 5,
    };
    expect(parseClaims(serializeClaims(c))).toEqual(c);
  });
  it('refuses empty digests or references and fractional timestamps', () => {
    expect(() =>
      serializeClaims({ dockerManifestDigest: '', dockerReference: 'a' }),
    ).toThrow(/non-empty/);
    expect(() =>
      serializeClaims({
        dockerManifestDigest: D,
        dockerReference: 'a',
        timestamp: 0.5,
      }),
    ).toThrow(/integer/);
  });
});

describe('parseClaims', () => {
  const parse = (s: string) => parseClaims(Buffer.from(s));
  it('accepts the fixture payload', () => {
    expect(parse(valid())).toEqual({
      dockerManifestDigest: D,
      dockerReference: 'testing/manifest',
      creator: 'atomic ',
      timestamp: 1458239713,
    });
  });
  it('accepts an empty optional object and ignores unknown optional members', () => {
    expect(parse(valid('{}'))).toEqual({
      dockerManifestDigest: D,
      dockerReference: 'testing/manifest',
    });
    expect(
      parse(valid('{"other":{"a":[1,2]},"x":null}')).creator,
    ).toBeUndefined();
  });
  it('treats null optional members as absent', () => {
    const c = parse(valid('{"creator":null,"timestamp":null}'));
    expect(c.creator).toBeUndefined();
    expect(c.timestamp).toBeUndefined();
  });
  it('accepts an integral timestamp written as a float', () => {
    expect(parse(valid('{"timestamp":1e3}')).timestamp).toBe(1000);
  });

  const crit = (inner: string): string => `{"critical":${inner},"optional":{}}`;
  const idImg = `"identity":{"docker-reference":"a/b"},"image":{"docker-manifest-digest":"${D}"}`;
  it.each([
    ['not JSON', 'This is not JSON\n', /not valid JSON/],
    ['not an object', '[]', /must be a JSON object, not array/],
    ['trailing garbage', `${valid()}x`, /trailing data/],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0x7d]).toString('latin1'), /./],
    [
      'extra top-level member',
      valid().replace(/}$/, ',"extra":1}'),
      /unknown field extra/,
    ],
    [
      'missing optional',
      `{"critical":{${idImg},"type":"atomic container signature"}}`,
      /field optional is missing/,
    ],
    [
      'optional null',
      `{"critical":{${idImg},"type":"atomic container signature"},"optional":null}`,
      /field optional must be a JSON object, not null/,
    ],
    [
      'critical not an object',
      '{"critical":1,"optional":{}}',
      /field critical must be a JSON object, not number/,
    ],
    [
      'extra member in critical',
      crit(`{${idImg},"type":"atomic container signature","x":1}`),
      /unknown field critical\.x/,
    ],
    ['missing type', crit(`{${idImg}}`), /field critical\.type is missing/],
    [
      'wrong type',
      crit(`{${idImg},"type":"atomic container signaturex"}`),
      /critical\.type is "atomic container signaturex"/,
    ],
    [
      'type number',
      crit(`{${idImg},"type":1}`),
      /critical\.type must be a string, not number/,
    ],
    [
      'type null',
      crit(`{${idImg},"type":null}`),
      /critical\.type must be a string, not null/,
    ],
    [
      'extra member in image',
      crit(
        `"identity":{"docker-reference":"a/b"},"image":{"docker-manifest-digest":"${D}","x":1},"type":"atomic container signature"}`.replace(
          /^/,
          '{',
        ),
      ),
      /unknown field critical\.image\.x/,
    ],
    [
      'missing digest',
      crit(
        `{"identity":{"docker-reference":"a/b"},"image":{},"type":"atomic container signature"}`,
      ),
      /critical\.image\.docker-manifest-digest is missing/,
    ],
    [
      'digest ../..',
      crit(
        `{"identity":{"docker-reference":"a/b"},"image":{"docker-manifest-digest":"sha256:../.."},"type":"atomic container signature"}`,
      ),
      /docker-manifest-digest "sha256:\.\.\/\.\." is not a valid digest/,
    ],
    [
      'digest number',
      crit(
        `{"identity":{"docker-reference":"a/b"},"image":{"docker-manifest-digest":1},"type":"atomic container signature"}`,
      ),
      /docker-manifest-digest must be a string/,
    ],
    [
      'digest null',
      crit(
        `{"identity":{"docker-reference":"a/b"},"image":{"docker-manifest-digest":null},"type":"atomic container signature"}`,
      ),
      /docker-manifest-digest must be a string, not null/,
    ],
    [
      'extra member in identity',
      crit(
        `{"identity":{"docker-reference":"a/b","x":1},"image":{"docker-manifest-digest":"${D}"},"type":"atomic container signature"}`,
      ),
      /unknown field critical\.identity\.x/,
    ],
    [
      'reference number',
      crit(
        `{"identity":{"docker-reference":1},"image":{"docker-manifest-digest":"${D}"},"type":"atomic container signature"}`,
      ),
      /docker-reference must be a string, not number/,
    ],
    [
      'reference null',
      crit(
        `{"identity":{"docker-reference":null},"image":{"docker-manifest-digest":"${D}"},"type":"atomic container signature"}`,
      ),
      /docker-reference must be a string, not null/,
    ],
    [
      'creator number',
      valid('{"creator":1}'),
      /optional\.creator must be a string/,
    ],
    [
      'timestamp string',
      valid('{"timestamp":"x"}'),
      /optional\.timestamp must be a number/,
    ],
    [
      'timestamp 0.5',
      valid('{"timestamp":0.5}'),
      /optional\.timestamp 0\.5 is not a 64-bit integer/,
    ],
    [
      'timestamp beyond int64',
      valid('{"timestamp":1e19}'),
      /optional\.timestamp/,
    ],
    [
      'duplicate top-level key',
      valid().replace(/}$/, ',"optional":{}}'),
      /duplicate field optional/,
    ],
    [
      'duplicate critical key',
      crit(
        `{${idImg},"type":"atomic container signature","type":"atomic container signature"}`,
      ),
      /duplicate field critical\.type/,
    ],
    [
      'duplicate optional key',
      valid('{"creator":"a","creator":"b"}'),
      /duplicate field optional\.creator/,
    ],
    [
      'wrong key case',
      crit(
        `{"Identity":{"docker-reference":"a/b"},"image":{"docker-manifest-digest":"${D}"},"type":"atomic container signature"}`,
      ),
      /unknown field critical\.Identity/,
    ],
  ])('rejects %s', (_, text, message) => {
    const bytes =
      _ === 'invalid UTF-8'
        ? Buffer.from([0x7b, 0xff, 0x7d])
        : Buffer.from(text);
    expect(() => parseClaims(bytes)).toThrow(message);
    expect(() => parseClaims(bytes)).toThrow(
      expect.objectContaining({ code: 'INVALID_SIGNATURE' }),
    );
  });
});
