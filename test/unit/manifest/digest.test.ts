import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifestDigest, matchesDigest } from '../../../src/manifest/digest.js';
import { manifestFixtures, signatureFixtures } from '../../helpers/paths.js';

const read = (name: string): Buffer =>
  readFileSync(join(manifestFixtures, name));
const rawSha256 = (b: Buffer): string =>
  `sha256:${createHash('sha256').update(b).digest('hex')}`;

const V2S2 =
  'sha256:20bf21ed457b390829cdbeec8795a7bea1626991fda603e0d01b4e7f60427e55';
const V2S1 =
  'sha256:7364fea9d84ee548ab67d4c46c6006289800c98de3fbf8c0a97138dfcc23f000';

describe('manifestDigest', () => {
  it('digests v2s2 as the raw sha256', () => {
    expect(manifestDigest(read('v2s2.manifest.json'))).toBe(V2S2);
    expect(
      manifestDigest(
        readFileSync(join(signatureFixtures, 'image.manifest.json')),
      ),
    ).toBe(V2S2);
  });

  it('strips the JWS of a signed schema1 manifest', () => {
    const signed = read('v2s1.manifest.json');
    expect(manifestDigest(signed)).toBe(V2S1);
    expect(rawSha256(signed)).not.toBe(V2S1);
    expect(manifestDigest(read('v2s1-unsigned.manifest.json'))).toBe(V2S1);
  });

  it('digests the Docker-converted schema1 manifest without its JWS', () => {
    expect(manifestDigest(read('schema2-to-schema1-by-docker.json'))).toBe(
      'sha256:c8a08b90c4899c341695c8b52733faace453cda3c20b2f9ad2c4390eac8eaee4',
    );
  });

  it('uses the raw sha256 for every other fixture', () => {
    const special = new Set([
      'v2s1.manifest.json',
      'v2s1-invalid-signatures.manifest.json',
      'schema2-to-schema1-by-docker.json',
    ]);
    const others = readdirSync(manifestFixtures).filter((f) => !special.has(f));
    expect(others.length).toBeGreaterThan(15);
    for (const f of others) {
      const bytes = read(f);
      expect(manifestDigest(bytes), f).toBe(rawSha256(bytes));
    }
  });

  it('digests empty input', () => {
    expect(manifestDigest(Buffer.alloc(0))).toBe(
      'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });

  it('rejects a schema1 manifest whose signatures are not an array', () => {
    expect(() =>
      manifestDigest(read('v2s1-invalid-signatures.manifest.json')),
    ).toThrow(expect.objectContaining({ code: 'INVALID_MANIFEST' }));
  });

  it.each([
    ['negative', -1],
    ['non-numeric', '"12"'],
    ['larger than the manifest', 1_000_000],
    ['fractional', 1.5],
  ])('rejects a formatLength that is %s without crashing', (_, len) => {
    const header = Buffer.from(
      `{"formatLength":${String(len)},"formatTail":"Cn0"}`,
    ).toString('base64url');
    const m = Buffer.from(
      `{"schemaVersion":1,"signatures":[{"protected":"${header}"}]}`,
    );
    expect(() => manifestDigest(m)).toThrow(/formatLength/);
    expect(matchesDigest(m, rawSha256(m))).toBe(false);
  });

  it('yields the empty-payload digest for "signatures": [] (c/image quirk)', () => {
    const m = Buffer.from('{"schemaVersion":1,"signatures":[]}');
    expect(manifestDigest(m)).toBe(rawSha256(Buffer.alloc(0)));
  });
});

describe('matchesDigest', () => {
  const m = read('v2s2.manifest.json');
  it('matches the exact digest', () => {
    expect(matchesDigest(m, V2S2)).toBe(true);
    expect(matchesDigest(read('v2s1.manifest.json'), V2S1)).toBe(true);
  });
  it.each([
    ['md5', 'md5:2872f31c5c1f62a694fbd20c1e85257c'],
    ['digest with a suffix', `${V2S2}abc`],
    ['truncated digest', V2S2.slice(0, -3)],
    ['empty string', ''],
    ['uppercase hex', V2S2.toUpperCase().replace('SHA256', 'sha256')],
    [
      'sha512 of the same bytes',
      `sha512:${createHash('sha512').update(m).digest('hex')}`,
    ],
  ])('does not match a %s', (_, d) => {
    expect(matchesDigest(m, d)).toBe(false);
  });
  it('never matches a manifest whose digest cannot be computed', () => {
    const bad = read('v2s1-invalid-signatures.manifest.json');
    expect(matchesDigest(bad, rawSha256(bad))).toBe(false);
  });
});
