import * as openpgp from 'openpgp';
import type { PrivateKey } from 'openpgp';
import { beforeAll, describe, expect, it } from 'vitest';
import { newPGPSigner } from '../../../../../src/signature/pgp/signer.js';
import { expectAgreement } from './differential.js';

/**
 * Differential corpus made by openpgp.js itself: generated keys of every
 * natively handled kind plus V6 keys, revoked keys and subkeys, signed by
 * openpgp.sign at fixed dates and by imgsign's newPGPSigner.
 */

const T0 = new Date('2020-01-01T00:00:00Z');
const T1 = new Date('2020-06-01T00:00:00Z');
const dates = [
  new Date('2019-12-31T00:00:00Z'),
  new Date('2020-03-01T00:00:00Z'),
  new Date('2020-07-01T00:00:00Z'),
  new Date('2021-07-01T00:00:00Z'),
];
const YEAR = 365 * 86400;

interface Case {
  name: string;
  key: PrivateKey;
  /** Native acceptance expected at 2020-07-01 for openpgp.sign signatures. */
  fast: boolean;
  /** Made at T1 by openpgp.sign (before any revocation). */
  sig?: Buffer;
}

async function generate(
  name: string,
  options: Record<string, unknown>,
  fast: boolean,
  config?: Partial<openpgp.Config>,
): Promise<Case> {
  const generateKey = openpgp.generateKey as unknown as (
    o: object,
  ) => Promise<{ privateKey: PrivateKey }>;
  const { privateKey } = await generateKey({
    userIDs: [{ name, email: `${name}@example.com` }],
    date: T0,
    format: 'object',
    ...options,
    ...(config ? { config } : {}),
  });
  return { name, key: privateKey, fast };
}

async function signAt(key: PrivateKey, date: Date, subkey = false) {
  const message = await openpgp.createMessage({
    binary: new TextEncoder().encode(`signed by ${key.getFingerprint()}`),
  });
  const signingKeyIDs = subkey
    ? [key.subkeys[key.subkeys.length - 1]!.getKeyID()]
    : [key.getKeyID()];
  const sig = await openpgp.sign({
    message,
    signingKeys: key,
    signingKeyIDs,
    format: 'binary',
    date,
  });
  return Buffer.from(sig);
}

describe('native verification of openpgp.js keys and signatures', () => {
  const cases: Case[] = [];

  beforeAll(async () => {
    cases.push(
      await generate('rsa2048', { type: 'rsa', rsaBits: 2048 }, true),
      await generate(
        'ed25519legacy',
        { type: 'ecc', curve: 'ed25519Legacy' },
        true,
      ),
      await generate('p256', { type: 'ecc', curve: 'nistP256' }, true),
      await generate('p384', { type: 'ecc', curve: 'nistP384' }, true),
      await generate('p521', { type: 'ecc', curve: 'nistP521' }, true),
      await generate('ed25519', { type: 'curve25519' }, true),
      await generate(
        'expiring',
        { type: 'ecc', curve: 'nistP256', keyExpirationTime: YEAR },
        true,
      ),
      await generate('v6', { type: 'curve25519' }, false, { v6Keys: true }),
    );
    for (const c of cases) c.sig = await signAt(c.key, T1);
    const revoked = await generate('revoked', { type: 'curve25519' }, false);
    revoked.sig = await signAt(revoked.key, T1);
    const { privateKey: revokedKey } = await openpgp.revokeKey({
      key: revoked.key,
      date: new Date('2020-02-01T00:00:00Z'),
      format: 'object',
    });
    cases.push({ ...revoked, key: revokedKey });
  }, 120_000);

  it('openpgp.sign signatures, every date: the native path agrees', async () => {
    for (const c of cases) {
      const sig = c.sig!;
      const pub = Buffer.from(c.key.toPublic().write());
      const armored = Buffer.from(c.key.toPublic().armor());
      for (const now of dates) {
        const r = await expectAgreement(
          [pub],
          sig,
          now,
          `${c.name} @${now.toISOString()}`,
        );
        await expectAgreement([armored], sig, now, `${c.name} armored`);
        if (now === dates[2]) {
          expect(r.native, c.name).toBe(c.fast ? 'accepted' : 'undecided');
        }
      }
    }
  });

  it('signing subkeys, including a revoked one', async () => {
    const base = await generate(
      'subkeys',
      { type: 'ecc', curve: 'ed25519Legacy', subkeys: [{}, { sign: true }] },
      true,
    );
    const sig = await signAt(base.key, T1, true);
    const pub = Buffer.from(base.key.toPublic().write());
    const ok = await expectAgreement([pub], sig, dates[2]!, 'subkey');
    expect(ok.native).toBe('accepted');
    expect(ok.openpgp).toMatchObject({
      accepted: true,
      keyIdentity: base.key.getFingerprint().toUpperCase(),
    });

    const key = await openpgp.readPrivateKey({ armoredKey: base.key.armor() });
    const last = key.subkeys.length - 1;
    key.subkeys[last] = await key.subkeys[last]!.revoke(
      key.keyPacket as openpgp.SecretKeyPacket,
      { flag: openpgp.enums.reasonForRevocation.keyCompromised },
      new Date('2020-02-01T00:00:00Z'),
    );
    const revokedPub = Buffer.from(key.toPublic().write());
    for (const now of dates) {
      const r = await expectAgreement([revokedPub], sig, now, 'revoked subkey');
      expect(r.native).toBe('undecided');
      expect(r.openpgp.accepted).toBe(false);
    }
  });

  it('newPGPSigner signatures are accepted natively as by openpgp.js', async () => {
    for (const c of cases.filter((x) => x.fast && x.name !== 'expiring')) {
      const signer = await newPGPSigner(Buffer.from(c.key.armor()), undefined);
      const sig = await signer.sign(Buffer.from(`{"payload":"${c.name}"}`));
      const now = new Date(Date.now() + 60_000);
      const pub = Buffer.from(c.key.toPublic().write());
      const r = await expectAgreement(
        [pub],
        sig,
        now,
        `newPGPSigner ${c.name}`,
      );
      expect(r.native, c.name).toBe('accepted');
      expect(r.openpgp).toMatchObject({
        accepted: true,
        contents: Buffer.from(`{"payload":"${c.name}"}`),
      });
    }
  });
});
