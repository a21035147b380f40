import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isOpenPGPLoaded } from '../../../../../src/signature/pgp/openpgp.js';
import { newPGPVerifier } from '../../../../../src/signature/pgp/verifier.js';
import { signatureFixtures } from '../../../../helpers/paths.js';

/**
 * newPGPVerifier end to end: the common case never loads openpgp.js; the
 * rest falls back to it with today's results and messages. The tests in
 * this file run in order in one module graph: openpgp.js must stay
 * unloaded until the first fallback.
 */

const fx = (name: string): Buffer =>
  readFileSync(join(signatureFixtures, name));
const K1 = '08CD26E446E2E95249B7A405E932F44B23E8DD43';
const KP = 'F2B501009F78B0B340221A12A3CD242DA6028093';
const KS = 'B9F4CDB9FD8C475BFA340AC38D54A947EE396F36';
const KR = '6D88C5A1993648A17B2BB0DC6B8499AF63388D63';

describe('newPGPVerifier with the native fast path', () => {
  it('accepts signatures by primary keys and signing subkeys without loading openpgp.js', async () => {
    const v = await newPGPVerifier([fx('pubring.gpg')]);
    expect(v.trustedFingerprints()).toEqual([KP, K1, KS, KR]);
    const image = await v.verify(fx('image.signature'));
    expect(image.keyIdentity).toBe(K1);
    expect(image.contents.toString()).toContain(
      '"docker-reference":"testing/manifest"',
    );
    const sub = await v.verify(fx('subkey.signature'));
    expect(sub.keyIdentity).toBe(KS);
    const armored = await newPGPVerifier([fx('public-key.gpg')]);
    expect(
      (await armored.verify(fx('dir-img-valid/signature-1'))).keyIdentity,
    ).toBe(K1);
    expect(isOpenPGPLoaded()).toBe(false);
  });

  it('rejects structurally invalid signatures as before, still without openpgp.js', async () => {
    const v = await newPGPVerifier([fx('public-key.gpg')]);
    await expect(v.verify(fx('unsigned-literal.signature'))).rejects.toThrow(
      'not a signed message: the data is not signed',
    );
    const none = await newPGPVerifier([Buffer.alloc(0)]);
    await expect(none.verify(fx('image.signature'))).rejects.toThrow(
      'No public keys imported',
    );
    expect(isOpenPGPLoaded()).toBe(false);
  });

  it('leaves an expired signature to openpgp.js, which rejects it with its message', async () => {
    const v = await newPGPVerifier([fx('public-key.gpg')]);
    await expect(v.verify(fx('expired.signature'))).rejects.toThrow(
      /^signature by key E932F44B23E8DD43 did not verify: .*expired/,
    );
    expect(isOpenPGPLoaded()).toBe(true);
  });

  it('a revoked subkey is still rejected (openpgp.js decides)', async () => {
    const v = await newPGPVerifier([fx('public-key-with-revoked-subkey.gpg')]);
    await expect(v.verify(fx('subkey-revoked.signature'))).rejects.toThrow(
      /not valid for signing/,
    );
  });

  it('a keyring the native path does not read is loaded by openpgp.js at construction', async () => {
    const openpgp = await import('openpgp');
    const { privateKey } = await openpgp.generateKey({
      userIDs: [{ name: 'v6' }],
      type: 'curve25519',
      format: 'object',
      config: { v6Keys: true },
    });
    const v6 = Buffer.from(privateKey.toPublic().write());
    const v = await newPGPVerifier([fx('public-key-1.gpg'), v6]);
    expect(v.trustedFingerprints()).toEqual([
      K1,
      privateKey.getFingerprint().toUpperCase(),
    ]);
    expect((await v.verify(fx('image.signature'))).keyIdentity).toBe(K1);
    await expect(
      newPGPVerifier([Buffer.from('This is invalid')]),
    ).rejects.toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
  });
});
