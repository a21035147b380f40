import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import {
  generateKeyMaterial,
  readKeyMaterial,
  readKeyMaterialWithOpenPGP,
} from '../../../../../src/signature/pgp/keys.js';
import { describeKeyNatively } from '../../../../../src/signature/pgp/native/describe.js';
import { UnsupportedOpenPGPError } from '../../../../../src/signature/pgp/native/key-packet.js';
import { signatureFixtures } from '../../../../helpers/paths.js';
import { describeWithPeers } from '../../../../helpers/peers.js';
import { gpgHome, makeGpgKey, type GpgHome, type GpgKey } from './gpg-keys.js';

/**
 * describeKeyNatively must give exactly what keys.ts builds with openpgp.js
 * (fingerprints, IDs, names, expiry, and the re-serialised public and
 * secret keys byte for byte), for the keys gpg and openpgp.js make.
 */
const fx = (name: string): Buffer =>
  readFileSync(join(signatureFixtures, name));

async function expectSameAsOpenPGP(blob: Buffer): Promise<void> {
  const native = describeKeyNatively(blob);
  const reference = await readKeyMaterialWithOpenPGP(blob, 'the key');
  expect(native).toEqual(reference);
  for (const [i, n] of native.entries()) {
    expect(n.publicKey.equals(reference[i]!.publicKey)).toBe(true);
    expect(n.secretKey?.equals(reference[i]!.secretKey!)).toBe(
      reference[i]!.secretKey !== undefined ? true : undefined,
    );
  }
}

describeWithPeers('describeKeyNatively', ['gpg'], () => {
  let home: GpgHome;
  const keys: Record<string, GpgKey> = {};
  beforeAll(async () => {
    home = await gpgHome('imgsign-native-describe-');
    keys['rsa3072'] = await makeGpgKey(home, {
      uid: 'RSA <rsa@example.com>',
      algo: 'rsa3072',
      usage: 'default',
      passphrase: 'pw',
    });
    keys['ed25519'] = await makeGpgKey(home, {
      uid: 'Ed <ed@example.com>',
      algo: 'ed25519',
      usage: 'default',
      expire: '2y',
    });
    keys['nistp256'] = await makeGpgKey(home, {
      uid: 'P256 <p256@example.com>',
      algo: 'nistp256',
      expire: '30d',
      passphrase: 'pw',
    });
    keys['nistp521'] = await makeGpgKey(home, {
      uid: 'P521 <p521@example.com>',
      algo: 'nistp521',
    });
    // Two user IDs, the second marked primary, and a signing subkey.
    const multi = await makeGpgKey(home, {
      uid: 'First <first@example.com>',
      algo: 'ed25519',
      usage: 'cert',
      expire: '1y',
    });
    await home.gpg([
      '--passphrase',
      '',
      '--quick-add-uid',
      multi.fingerprint,
      'Second <second@example.com>',
    ]);
    await home.gpg([
      '--passphrase',
      '',
      '--quick-set-primary-uid',
      multi.fingerprint,
      'Second <second@example.com>',
    ]);
    await home.gpg([
      '--passphrase',
      '',
      '--quick-add-key',
      multi.fingerprint,
      'ed25519',
      'sign',
      '3y',
    ]);
    const { exportGpgKey } = await import('./gpg-keys.js');
    keys['multi'] = await exportGpgKey(home, multi.fingerprint, '');
  }, 120_000);
  afterAll(async () => {
    await home?.close();
  });

  for (const name of ['rsa3072', 'ed25519', 'nistp256', 'nistp521', 'multi']) {
    it(`gpg ${name}: public, secret, armored and binary as openpgp.js describes them`, async () => {
      const k = keys[name]!;
      await expectSameAsOpenPGP(k.publicKey);
      await expectSameAsOpenPGP(k.secret);
      await expectSameAsOpenPGP(k.secretArmored);
      const [d] = describeKeyNatively(k.secret);
      expect(d!.fingerprint).toBe(k.fingerprint);
    });
  }

  it('names algorithms and expiry like openpgp.js (with and without expiry)', async () => {
    const named = (k: GpgKey) => describeKeyNatively(k.publicKey)[0]!;
    expect(named(keys['rsa3072']!).algorithm).toBe('rsa3072');
    expect(named(keys['nistp256']!).algorithm).toBe('nistP256');
    expect(named(keys['rsa3072']!).expires).toBeUndefined();
    const ed = named(keys['ed25519']!);
    expect(ed.algorithm).toBe('ed25519');
    const key = await openpgp.readKey({
      binaryKey: keys['ed25519']!.publicKey,
    });
    expect(ed.expires).toEqual(await key.getExpirationTime());
    expect(ed.expires!.getTime()).toBeGreaterThan(Date.now());
  });

  it('several keys in one blob (binary and two armored blocks)', async () => {
    await expectSameAsOpenPGP(
      Buffer.concat([keys['rsa3072']!.publicKey, keys['ed25519']!.publicKey]),
    );
    await expectSameAsOpenPGP(
      Buffer.concat([
        keys['nistp256']!.secretArmored,
        keys['multi']!.secretArmored,
      ]),
    );
  });

  it('openpgp.js-generated keys (RSA, EdDSA legacy, Ed25519/X25519), with an expiry in the past', async () => {
    for (const type of ['ed25519', 'rsa4096'] as const) {
      const m = await generateKeyMaterial({
        name: 'Gen',
        email: 'gen@example.com',
        type,
        passphrase: 'pw',
      });
      await expectSameAsOpenPGP(m.secretKey!);
      await expectSameAsOpenPGP(m.publicKey);
    }
    const modern = await openpgp.generateKey({
      userIDs: [{ name: 'Modern', email: 'modern@example.com' }],
      type: 'curve25519',
      passphrase: 'pw',
      format: 'binary',
    });
    await expectSameAsOpenPGP(Buffer.from(modern.privateKey));
    await expectSameAsOpenPGP(Buffer.from(modern.publicKey));
    const { privateKey } = await openpgp.generateKey({
      userIDs: [{ name: 'Old', email: 'old@example.com' }],
      type: 'ecc',
      curve: 'ed25519Legacy',
      keyExpirationTime: 3600,
      date: new Date(Date.now() - 86400_000),
      format: 'binary',
    });
    await expectSameAsOpenPGP(Buffer.from(privateKey));
    expect(
      describeKeyNatively(Buffer.from(privateKey))[0]!.expires,
    ).toBeDefined();
  });

  it('the containers/image fixture keys it reads natively match openpgp.js', async () => {
    const native = [
      'public-key.gpg',
      'public-key-1.gpg',
      'public-key-2.gpg',
      'public-key-with-subkey.gpg',
      'secring.gpg',
    ];
    for (const name of native) await expectSameAsOpenPGP(fx(name));
  });

  it('leaves revocations and unusual keys to openpgp.js', async () => {
    expect(() =>
      describeKeyNatively(fx('public-key-with-revoked-subkey.gpg')),
    ).toThrow(UnsupportedOpenPGPError);
    expect(() => describeKeyNatively(fx('pubring.gpg'))).toThrow(
      UnsupportedOpenPGPError,
    );
    const { privateKey } = await openpgp.generateKey({
      userIDs: [{ name: 'V6', email: 'v6@example.com' }],
      config: { v6Keys: true },
      format: 'binary',
    });
    expect(() => describeKeyNatively(Buffer.from(privateKey))).toThrow(
      UnsupportedOpenPGPError,
    );
    // readKeyMaterial still reads them (through openpgp.js).
    expect(
      (await readKeyMaterial(fx('pubring.gpg'), 'pubring')).length,
    ).toBeGreaterThan(0);
  });

  it('readKeyMaterial describes common keys without loading openpgp.js', async () => {
    vi.resetModules();
    const fresh = await import('../../../../../src/signature/pgp/keys.js');
    const { isOpenPGPLoaded } =
      await import('../../../../../src/signature/pgp/openpgp.js');
    const got = await fresh.readKeyMaterial(
      keys['rsa3072']!.secretArmored,
      'k',
    );
    expect(got[0]!.fingerprint).toBe(keys['rsa3072']!.fingerprint);
    expect(isOpenPGPLoaded()).toBe(false);
    await fresh.readKeyMaterial(fx('pubring.gpg'), 'pubring');
    expect(isOpenPGPLoaded()).toBe(true);
  });
});
