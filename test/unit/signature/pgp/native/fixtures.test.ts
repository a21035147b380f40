import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseNativeKeyring } from '../../../../../src/signature/pgp/native/verify.js';
import { readKeyringBlob } from '../../../../../src/signature/pgp/verifier.js';
import { signatureFixtures } from '../../../../helpers/paths.js';
import { expectAgreement, nativeOutcome } from './differential.js';

const fx = (name: string): Buffer =>
  readFileSync(join(signatureFixtures, name));
const K1 = '08CD26E446E2E95249B7A405E932F44B23E8DD43';
const KS = 'B9F4CDB9FD8C475BFA340AC38D54A947EE396F36';

const keyrings = [
  'public-key.gpg',
  'public-key-1.gpg',
  'public-key-2.gpg',
  'public-key-with-subkey.gpg',
  'public-key-with-revoked-subkey.gpg',
  'pubring.gpg',
];
const signatureFiles = [
  ...readdirSync(signatureFixtures)
    .filter((f) => /\.signature(-v3)?$/.test(f))
    .map((f) => [f]),
  ...readdirSync(signatureFixtures)
    .filter((d) => d.startsWith('dir-img-'))
    .flatMap((d) =>
      readdirSync(join(signatureFixtures, d))
        .filter((f) => f.startsWith('signature-'))
        .map((f) => [join(d, f)]),
    ),
];
const dates = [
  new Date('2016-03-01T00:00:00Z'),
  new Date('2016-06-01T00:00:00Z'),
  new Date('2025-06-24T00:00:00Z'),
  new Date('2026-11-01T00:00:00Z'),
];

describe('native keyring parsing of the containers/image fixtures', () => {
  it.each(keyrings)(
    '%s: same primary fingerprints as openpgp.js',
    async (f) => {
      const native = parseNativeKeyring([fx(f)]);
      expect(native).toBeDefined();
      const keys = await readKeyringBlob(fx(f));
      expect(native!.map((k) => k.primary.fingerprint)).toEqual(
        keys.map((k) => k.getFingerprint().toUpperCase()),
      );
      expect(native!.map((k) => k.subkeys.map((s) => s.fingerprint))).toEqual(
        keys.map((k) => k.subkeys.map((s) => s.getFingerprint().toUpperCase())),
      );
    },
  );

  it('reads a keyring concatenated twice, and armored blocks concatenated', () => {
    const twice = Buffer.concat([fx('pubring.gpg'), fx('pubring.gpg')]);
    expect(parseNativeKeyring([twice])).toHaveLength(8);
    const both = Buffer.concat([
      fx('public-key.gpg'),
      fx('public-key-with-subkey.gpg'),
    ]);
    expect(
      parseNativeKeyring([both])?.map((k) => k.primary.fingerprint),
    ).toEqual([K1, KS]);
  });

  it('leaves invalid keyrings and damaged armor to openpgp.js', () => {
    expect(
      parseNativeKeyring([Buffer.from('This is invalid')]),
    ).toBeUndefined();
    const armored = fx('public-key.gpg').toString('utf8');
    const badCrc = armored.replace(/\n=(....)\n/, (_m, c: string) => {
      const flipped = c[0] === 'A' ? `B${c.slice(1)}` : `A${c.slice(1)}`;
      return `\n=${flipped}\n`;
    });
    expect(badCrc).not.toBe(armored);
    expect(parseNativeKeyring([Buffer.from(badCrc)])).toBeUndefined();
  });
});

describe('native verification of the containers/image fixtures against openpgp.js', () => {
  it.each(keyrings)('keyring %s, every signature, several dates', async (k) => {
    for (const [s] of signatureFiles) {
      for (const now of dates) {
        await expectAgreement(
          [fx(k)],
          fx(s!),
          now,
          `${k} ${s} ${now.toISOString()}`,
        );
      }
    }
  });

  it.each([
    ['image.signature', 'public-key.gpg', K1],
    ['image.signature', 'pubring.gpg', K1],
    ['invalid-blob.signature', 'public-key-1.gpg', K1],
    ['subkey.signature', 'public-key-with-subkey.gpg', KS],
    ['dir-img-valid-subkey/signature-1', 'pubring.gpg', KS],
    ['dir-img-valid-2/signature-2', 'public-key.gpg', K1],
  ])('accepts %s with %s natively as %s', async (s, k, identity) => {
    const now = new Date('2026-11-01T00:00:00Z');
    const r = await expectAgreement([fx(k)], fx(s), now, `${s} ${k}`);
    expect(r.native).toBe('accepted');
    expect(r.openpgp).toMatchObject({ accepted: true, keyIdentity: identity });
  });

  it.each(
    [
      ['expired.signature', 'public-key.gpg'],
      ['corrupt.signature', 'public-key.gpg'],
      ['subkey-revoked.signature', 'public-key-with-revoked-subkey.gpg'],
      ['unknown-key.signature', 'pubring.gpg'],
      ['image.signature-v3' as string, 'public-key.gpg'],
    ].filter(([s]) => signatureFiles.some(([f]) => f === s)),
  )('leaves %s with %s to openpgp.js', (s, k) => {
    expect(nativeOutcome([fx(k)], fx(s), new Date())).toBe('undecided');
  });
});
