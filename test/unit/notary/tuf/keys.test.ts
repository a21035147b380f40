import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  canonicalKeyID,
  keyID,
  parseTufKey,
  tufKeyFromCertificatePEM,
  tufKeyFromPublicKey,
} from '../../../../src/notary/tuf/keys.js';
import { makeCert } from '../../../helpers/notary-tuf/make-cert.js';

describe('TUF key JSON', () => {
  it('round-trips ecdsa, rsa and ed25519 public keys with stable IDs', () => {
    for (const k of [
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey,
      generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey,
      generateKeyPairSync('ed25519').publicKey,
    ]) {
      const json = tufKeyFromPublicKey(k);
      const parsed = parseTufKey(json, 'k');
      expect(parsed.problem).toBeUndefined();
      expect(parsed.id).toBe(keyID(json));
      expect(parsed.id).toMatch(/^[0-9a-f]{64}$/);
      expect(parsed.key?.equals(k)).toBe(true);
      expect(canonicalKeyID(parsed)).toBe(parsed.id);
    }
    const ed = tufKeyFromPublicKey(generateKeyPairSync('ed25519').publicKey);
    expect(ed.keytype).toBe('ed25519');
    expect(Buffer.from(ed.keyval.public, 'base64')).toHaveLength(32);
  });

  it('gives x509 keys a canonical ID: that of the leaf public key', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = makeCert({
      cn: 'docker.io/a/b',
      key: privateKey,
      notBefore: new Date('2026-01-01'),
      notAfter: new Date('2036-01-01'),
    });
    const json = tufKeyFromCertificatePEM(pem);
    expect(json.keytype).toBe('ecdsa-x509');
    const parsed = parseTufKey(json, 'cert');
    expect(parsed.algorithm).toBe('ecdsa');
    expect(parsed.certificates).toHaveLength(1);
    expect(canonicalKeyID(parsed)).toBe(keyID(tufKeyFromPublicKey(privateKey)));
    expect(canonicalKeyID(parsed)).not.toBe(parsed.id);
  });

  it('keeps keys it cannot use, with the reason', () => {
    const unknown = parseTufKey(
      { keytype: 'dsa', keyval: { private: null, public: 'AAAA' } },
      'k',
    );
    expect(unknown.problem).toBe('unsupported key type "dsa"');
    const badDer = parseTufKey(
      { keytype: 'ecdsa', keyval: { private: null, public: 'AAAA' } },
      'k',
    );
    expect(badDer.problem).toMatch(/^unparsable ecdsa key/);
    const rsaAsEc = parseTufKey(
      {
        keytype: 'ecdsa',
        keyval: {
          private: null,
          public: tufKeyFromPublicKey(
            generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey,
          ).keyval.public,
        },
      },
      'k',
    );
    expect(rsaAsEc.problem).toBe('not an ECDSA key');
    const shortEd = parseTufKey(
      { keytype: 'ed25519', keyval: { private: null, public: 'AAAA' } },
      'k',
    );
    expect(shortEd.problem).toBe('ed25519 public key is not 32 bytes');
  });

  it('rejects structurally invalid key JSON', () => {
    expect(() => parseTufKey('x', 'root.json key A')).toThrow(
      'root.json key A: key is not a JSON object',
    );
    expect(() =>
      parseTufKey({ keytype: 'ecdsa', keyval: { public: 'AA=A' } }, 'k'),
    ).toThrow('k: "keyval.public" is not base64');
    expect(() =>
      parseTufKey(
        { keytype: 'ecdsa', keyval: { private: 'AAAA', public: 'AAAA' } },
        'k',
      ),
    ).toThrow('"keyval.private" must be null in public metadata');
  });
});
