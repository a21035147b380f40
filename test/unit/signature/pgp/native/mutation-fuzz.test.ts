import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import type { PrivateKey } from 'openpgp';
import { beforeAll, describe, expect, it } from 'vitest';
import { signatureFixtures } from '../../../../helpers/paths.js';
import { expectAgreement, prng } from './differential.js';

/**
 * Deterministic mutation fuzz (seeded PRNG): bytes of signatures and of
 * binary keyrings are flipped, dropped or truncated; the native path must
 * never accept what openpgp.js rejects, and newPGPVerifier must decide
 * exactly as openpgp.js does.
 */

const T0 = new Date('2020-01-01T00:00:00Z');
const T1 = new Date('2020-06-01T00:00:00Z');
const NOW = new Date('2020-07-01T00:00:00Z');

interface Base {
  name: string;
  key: Buffer;
  sig: Buffer;
  now: Date;
}

function mutate(data: Buffer, rnd: () => number): Buffer {
  const out = Buffer.from(data);
  const pos = Math.floor(rnd() * out.length);
  const kind = rnd();
  if (kind < 0.7) {
    const flips = 1 + Math.floor(rnd() * 3);
    for (let i = 0; i < flips; i++) {
      const p = i === 0 ? pos : Math.floor(rnd() * out.length);
      out[p]! ^= 1 + Math.floor(rnd() * 255);
    }
    return out;
  }
  if (kind < 0.85)
    return Buffer.concat([out.subarray(0, pos), out.subarray(pos + 1)]);
  return out.subarray(0, pos);
}

async function generated(
  name: string,
  options: object,
  subkey: boolean,
): Promise<Base> {
  const generateKey = openpgp.generateKey as unknown as (
    o: object,
  ) => Promise<{ privateKey: PrivateKey }>;
  const { privateKey } = await generateKey({
    userIDs: [{ name }],
    date: T0,
    format: 'object',
    ...options,
  });
  const message = await openpgp.createMessage({
    binary: new TextEncoder().encode(`{"fuzz":"${name}"}`),
  });
  const signingKeyIDs = [
    subkey
      ? privateKey.subkeys[privateKey.subkeys.length - 1]!.getKeyID()
      : privateKey.getKeyID(),
  ];
  const sig = await openpgp.sign({
    message,
    signingKeys: privateKey,
    signingKeyIDs,
    format: 'binary',
    date: T1,
  });
  return {
    name,
    key: Buffer.from(privateKey.toPublic().write()),
    sig: Buffer.from(sig),
    now: NOW,
  };
}

describe('mutation fuzz: the native path never accepts what openpgp.js rejects', () => {
  const bases: Base[] = [];

  beforeAll(async () => {
    bases.push(
      {
        name: 'fixture K1 (compressed)',
        key: readFileSync(join(signatureFixtures, 'public-key-1.gpg')),
        sig: readFileSync(join(signatureFixtures, 'image.signature')),
        now: new Date('2026-11-01T00:00:00Z'),
      },
      await generated('rsa2048', { type: 'rsa', rsaBits: 2048 }, false),
      await generated(
        'ed25519legacy',
        { type: 'ecc', curve: 'ed25519Legacy' },
        false,
      ),
      await generated(
        'p256-subkey',
        { type: 'ecc', curve: 'nistP256', subkeys: [{}, { sign: true }] },
        true,
      ),
      await generated('ed25519', { type: 'curve25519' }, false),
    );
  }, 60_000);

  it.each([
    ['signature', 1],
    ['keyring', 2],
  ] as const)('mutated %s bytes (seeded)', async (what, seed) => {
    const rnd = prng(seed);
    let cases = 0;
    let nativeAccepted = 0;
    for (const base of bases) {
      // the unmutated pair is accepted natively
      const clean = await expectAgreement(
        [base.key],
        base.sig,
        base.now,
        base.name,
      );
      expect(clean.native, base.name).toBe('accepted');
      for (let i = 0; i < 60; i++) {
        const key = what === 'keyring' ? mutate(base.key, rnd) : base.key;
        const sig = what === 'signature' ? mutate(base.sig, rnd) : base.sig;
        const r = await expectAgreement(
          [key],
          sig,
          base.now,
          `${base.name} ${what} #${i}`,
        );
        cases++;
        if (r.native === 'accepted') nativeAccepted++;
      }
    }
    expect(cases).toBe(bases.length * 60);
    // Some mutations hit bytes no signature covers (literal file name/date, unhashed area).
    expect(nativeAccepted).toBeLessThan(cases);
  });
});
