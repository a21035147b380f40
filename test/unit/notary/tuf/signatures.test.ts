import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  parseTufKey,
  tufKeyFromPublicKey,
} from '../../../../src/notary/tuf/keys.js';
import {
  signMessage,
  verifySignature,
} from '../../../../src/notary/tuf/signatures.js';

const msg = Buffer.from('{"_type":"Targets"}');

describe('TUF signature methods', () => {
  it.each([
    ['ec', { namedCurve: 'P-256' }, 'ecdsa', 64],
    ['ec', { namedCurve: 'P-384' }, 'ecdsa', 96],
    ['rsa', { modulusLength: 2048 }, 'rsapss', 256],
    ['ed25519', {}, 'eddsa', 64],
  ] as const)(
    'signs and verifies with %s %o as %s',
    (type, opts, method, length) => {
      const { privateKey } = generateKeyPairSync(
        type as 'ec',
        opts as { namedCurve: string },
      );
      const made = signMessage(privateKey, msg);
      expect(made.method).toBe(method);
      expect(made.sig.length).toBe(length);
      const key = parseTufKey(tufKeyFromPublicKey(privateKey), 'test key');
      expect(key.problem).toBeUndefined();
      verifySignature(key, made.method, made.sig, msg);
      verifySignature(key, made.method.toUpperCase(), made.sig, msg);
      expect(() =>
        verifySignature(key, made.method, made.sig, Buffer.from('other')),
      ).toThrow(/does not verify/);
    },
  );

  it('verifies rsapkcs1v15', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const key = parseTufKey(tufKeyFromPublicKey(privateKey), 'k');
    const sig = sign('sha256', msg, privateKey);
    verifySignature(key, 'RSAPKCS1V15', sig, msg);
    expect(() => verifySignature(key, 'rsapss', sig, msg)).toThrow(
      /does not verify/,
    );
  });

  it('refuses a method that does not fit the key', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const key = parseTufKey(tufKeyFromPublicKey(privateKey), 'k');
    const { sig } = signMessage(privateKey, msg);
    expect(() => verifySignature(key, 'ecdsa', sig, msg)).toThrow(
      /does not fit a ed25519 key/,
    );
  });
});
