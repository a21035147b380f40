import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newPGPVerifier } from '../../../../src/signature/pgp/verifier.js';
import { signatureFixtures } from '../../../helpers/paths.js';

const fx = (name: string): Buffer =>
  readFileSync(join(signatureFixtures, name));
const K1 = '08CD26E446E2E95249B7A405E932F44B23E8DD43';
const KP = 'F2B501009F78B0B340221A12A3CD242DA6028093';
const KS = 'B9F4CDB9FD8C475BFA340AC38D54A947EE396F36';
const KR = '6D88C5A1993648A17B2BB0DC6B8499AF63388D63';

describe('loading keyrings', () => {
  it.each([
    [['public-key.gpg'], [K1]],
    [['public-key-1.gpg'], [K1]],
    [['public-key-2.gpg'], [KP]],
    [
      ['public-key-1.gpg', 'public-key-2.gpg'],
      [K1, KP],
    ],
    [['public-key-with-subkey.gpg'], [KS]],
    [['public-key-with-revoked-subkey.gpg'], [KR]],
    [['pubring.gpg'], [KP, K1, KS, KR]],
  ])('%j trusts %j', async (files, expected) => {
    const v = await newPGPVerifier(files.map(fx));
    expect(v.trustedFingerprints()).toEqual(expected);
  });

  it('reads a binary keyring concatenated twice as the list twice', async () => {
    const twice = Buffer.concat([fx('pubring.gpg'), fx('pubring.gpg')]);
    const v = await newPGPVerifier([twice]);
    expect(v.trustedFingerprints()).toEqual([KP, K1, KS, KR, KP, K1, KS, KR]);
  });

  it('reads several armored blocks in one blob', async () => {
    const both = Buffer.concat([
      fx('public-key.gpg'),
      fx('public-key-with-subkey.gpg'),
    ]);
    const v = await newPGPVerifier([both]);
    expect(v.trustedFingerprints()).toEqual([K1, KS]);
  });

  it('rejects an invalid keyring blob', async () => {
    await expect(
      newPGPVerifier([Buffer.from('This is invalid')]),
    ).rejects.toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
  });

  it('with zero keys rejects every signature', async () => {
    const v = await newPGPVerifier([Buffer.alloc(0)]);
    expect(v.trustedFingerprints()).toEqual([]);
    await expect(v.verify(fx('image.signature'))).rejects.toThrow(
      'No public keys imported',
    );
  });
});

describe('verifying the fixture signatures', async () => {
  const v = await newPGPVerifier([
    fx('public-key.gpg'),
    fx('public-key-with-subkey.gpg'),
    fx('public-key-with-revoked-subkey.gpg'),
  ]);

  it.each([
    ['image.signature', K1, /"docker-reference":"testing\/manifest"/],
    ['no-optional-fields.signature', K1, /"optional":\{\}/],
    ['invalid-blob.signature', K1, /^This is not JSON\n$/],
    ['invalid-blob.signature-v3', K1, /^This is not JSON\n$/],
    ['invalid-reference.signature', K1, /UPPERCASEISINVALID/],
    ['subkey.signature', KS, /testing\/manifest:latest/],
    ['subkey.signature-v3', KS, /testing\/manifest:latest/],
  ])(
    '%s is cryptographically valid, signed by %s',
    async (file, fpr, content) => {
      const r = await v.verify(fx(file));
      expect(r.keyIdentity).toBe(fpr);
      expect(r.contents.toString('utf8')).toMatch(content);
    },
  );

  it.each([
    ['corrupt.signature', /did not verify: .*Signature verification failed/],
    ['corrupt.signature-v3', /BAD signature/],
    ['expired.signature', /expired/i],
    [
      'unknown-key.signature',
      /key 5F9470E3BC6C3B55, which is not a trusted key/,
    ],
    [
      'unknown-key.signature-v3',
      /key 5F9470E3BC6C3B55, which is not a trusted key/,
    ],
    ['subkey-revoked.signature', /3EF0F93A1F602997 .*revoked/],
    ['subkey-revoked.signature-v3', /3EF0F93A1F602997 .*revoked/],
    [
      'unsigned-literal.signature',
      /not a signed message: the data is not signed/,
    ],
    [
      'unsigned-encrypted.signature',
      /not a signed message: it contains encrypted data/,
    ],
    ['unknown-cosign-key.signature', /malformed OpenPGP data/],
    ['public-key.gpg', /ASCII-armored/],
  ])('%s is rejected', async (file, message) => {
    await expect(v.verify(fx(file))).rejects.toThrow(message);
    await expect(v.verify(fx(file))).rejects.toThrow(
      expect.objectContaining({ code: 'INVALID_SIGNATURE' }),
    );
  });

  it('gives the V3 twins the same payload as the V4 originals', async () => {
    const [a, b] = await Promise.all([
      v.verify(fx('subkey.signature')),
      v.verify(fx('subkey.signature-v3')),
    ]);
    expect(b.keyIdentity).toBe(a.keyIdentity);
    expect(b.contents.equals(a.contents)).toBe(true);
  });

  it('rejects a signature made by a key that is trusted by another verifier only', async () => {
    const onlyKP = await newPGPVerifier([fx('public-key-2.gpg')]);
    await expect(onlyKP.verify(fx('image.signature'))).rejects.toThrow(
      /E932F44B23E8DD43.*not a trusted key/,
    );
  });

  it('rejects the empty blob', async () => {
    await expect(v.verify(Buffer.alloc(0))).rejects.toThrow(
      'signature is empty',
    );
  });
});
