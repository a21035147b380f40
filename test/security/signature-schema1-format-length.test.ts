import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifestDigest, matchesDigest } from '../../src/manifest/digest.js';
import { newPGPVerifier } from '../../src/signature/pgp/verifier.js';
import { verifyDockerManifestSignature } from '../../src/signature/simple.js';
import { manifestFixtures, signatureFixtures } from '../helpers/paths.js';

/** A signed schema1 manifest whose JWS protected header says `header`. */
function schema1With(header: string): Buffer {
  const prot = Buffer.from(header).toString('base64url');
  return Buffer.from(
    `{"schemaVersion":1,"name":"a/b","tag":"1","signatures":[{"header":{},"signature":"x","protected":"${prot}"}]}`,
  );
}

describe('when a schema1 manifest has a hostile JWS header', () => {
  it.each([
    [
      'a negative formatLength',
      '{"formatLength":-5,"formatTail":"Cn0"}',
      /formatLength is negative/,
    ],
    [
      'a non-numeric formatLength',
      '{"formatLength":"5478","formatTail":"Cn0"}',
      /formatLength is not an integer/,
    ],
    [
      'a formatLength beyond the manifest',
      '{"formatLength":99999999,"formatTail":"Cn0"}',
      /formatLength 99999999 exceeds the manifest length/,
    ],
    [
      'a formatTail that is not base64url',
      '{"formatLength":5,"formatTail":"!!"}',
      /formatTail is not valid base64url/,
    ],
    ['a protected header that is not JSON', 'not json', /./],
  ])('rejects %s without crashing', (_, header, message) => {
    const m = schema1With(header);
    expect(() => manifestDigest(m)).toThrow(message);
    expect(() => manifestDigest(m)).toThrow(
      expect.objectContaining({ code: 'INVALID_MANIFEST' }),
    );
    expect(matchesDigest(m, manifestDigest(Buffer.alloc(0)))).toBe(false);
  });

  it('rejects signatures that disagree on formatLength', () => {
    const a = Buffer.from('{"formatLength":5,"formatTail":""}').toString(
      'base64url',
    );
    const b = Buffer.from('{"formatLength":6,"formatTail":""}').toString(
      'base64url',
    );
    const m = Buffer.from(
      `{"schemaVersion":1,"signatures":[{"protected":"${a}"},{"protected":"${b}"}]}`,
    );
    expect(() => manifestDigest(m)).toThrow(/disagree on formatLength/);
  });

  it('never lets a signature verify against v2s1-invalid-signatures', async () => {
    const v = await newPGPVerifier([
      readFileSync(join(signatureFixtures, 'public-key.gpg')),
    ]);
    const m = readFileSync(
      join(manifestFixtures, 'v2s1-invalid-signatures.manifest.json'),
    );
    await expect(
      verifyDockerManifestSignature(
        readFileSync(join(signatureFixtures, 'image.signature')),
        m,
        'testing/manifest',
        v,
        ['08CD26E446E2E95249B7A405E932F44B23E8DD43'],
      ),
    ).rejects.toThrow(/cannot be computed: .*"signatures" is not an array/);
  });
});
