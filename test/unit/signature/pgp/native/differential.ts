import { expect } from 'vitest';
import { ImgsignError } from '../../../../../src/errors.js';
import {
  nativeVerify,
  parseNativeKeyring,
} from '../../../../../src/signature/pgp/native/verify.js';
import { newPGPVerifier } from '../../../../../src/signature/pgp/verifier.js';

/**
 * The differential oracle: openpgp.js exactly as verifier.ts used it before
 * the native fast path (`native: false`), against the native path alone
 * and against newPGPVerifier with the fast path.
 */

export type Outcome =
  | { accepted: true; contents: Buffer; keyIdentity: string }
  | { accepted: false; message: string };

async function run(
  blobs: Buffer[],
  untrusted: Buffer,
  now: Date,
  native: boolean,
): Promise<Outcome> {
  try {
    const v = await newPGPVerifier(blobs, { now: () => now, native });
    const r = await v.verify(untrusted);
    return { accepted: true, contents: r.contents, keyIdentity: r.keyIdentity };
  } catch (err) {
    if (!(err instanceof ImgsignError)) throw err;
    return { accepted: false, message: err.message };
  }
}

export function openpgpOutcome(
  blobs: Buffer[],
  untrusted: Buffer,
  now: Date,
): Promise<Outcome> {
  return run(blobs, untrusted, now, false);
}

/** The native path alone: 'undecided' or what it accepted. */
export function nativeOutcome(
  blobs: Buffer[],
  untrusted: Buffer,
  now: Date,
): Outcome | 'undecided' {
  const keys = parseNativeKeyring(blobs);
  const r = keys && nativeVerify(keys, untrusted, now);
  return r ? { accepted: true, ...r } : 'undecided';
}

/**
 * Assert the native path never accepts what openpgp.js rejects, accepts
 * with the same contents and identity, and that newPGPVerifier with the
 * fast path decides exactly as openpgp.js (same result or same message).
 */
export async function expectAgreement(
  blobs: Buffer[],
  untrusted: Buffer,
  now: Date,
  label: string,
): Promise<{ native: 'accepted' | 'undecided'; openpgp: Outcome }> {
  const oracle = await openpgpOutcome(blobs, untrusted, now);
  const nat = nativeOutcome(blobs, untrusted, now);
  if (nat !== 'undecided') {
    expect(oracle, `${label}: native accepted what openpgp.js rejects`).toEqual(
      nat,
    );
  }
  const full = await run(blobs, untrusted, now, true);
  expect(full, `${label}: newPGPVerifier differs from openpgp.js`).toEqual(
    oracle,
  );
  return { native: nat === 'undecided' ? nat : 'accepted', openpgp: oracle };
}

/** Deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
