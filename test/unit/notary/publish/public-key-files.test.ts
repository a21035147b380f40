import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseSignerPublicKey } from '../../../../src/notary/publish/public-key-files.js';
import {
  canonicalKeyID,
  keyID,
  parseTufKey,
} from '../../../../src/notary/tuf/keys.js';
import { makeCert } from '../../../helpers/notary-tuf/make-cert.js';

const NOW = new Date('2026-11-23T00:00:00Z');
const DAY = 86_400_000;
const ec = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;

const cert = (o: Partial<Parameters<typeof makeCert>[0]> = {}) =>
  makeCert({
    cn: 'alice',
    key: ec(),
    notBefore: new Date(NOW.getTime() - DAY),
    notAfter: new Date(NOW.getTime() + 30 * DAY),
    ...o,
  });

describe('signer public key files', () => {
  it("a PUBLIC KEY (with docker key generate's role header) becomes an ecdsa key of its DER", () => {
    const der = generateKeyPairSync('ec', {
      namedCurve: 'P-256',
    }).publicKey.export({ type: 'spki', format: 'der' });
    const pem = `-----BEGIN PUBLIC KEY-----\nrole: alice\n\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END PUBLIC KEY-----\n`;
    const json = parseSignerPublicKey(pem, 'alice.pub', NOW);
    expect(json).toEqual({
      keytype: 'ecdsa',
      keyval: { private: null, public: der.toString('base64') },
    });
  });

  it("a CERTIFICATE becomes an ecdsa-x509 key of the Go-encoded PEM (CA flag allowed); its canonical ID is the SPKI key's", () => {
    const pem = cert({ ca: true });
    // Extra text and CRLF line ends around the block do not change the key ID.
    const json = parseSignerPublicKey(
      `junk\r\n${pem.replace(/\n/g, '\r\n')}`,
      'alice.crt',
      NOW,
    );
    expect(json.keytype).toBe('ecdsa-x509');
    expect(Buffer.from(json.keyval.public, 'base64').toString()).toBe(pem);
    const parsed = parseTufKey(json, 'alice.crt');
    expect(canonicalKeyID(parsed)).not.toBe(keyID(json));
  });

  it.each([
    ['expired', { notAfter: new Date(NOW.getTime() - DAY) }, /expired at/],
    [
      'not yet valid',
      { notBefore: new Date(NOW.getTime() + DAY) },
      /not valid before/,
    ],
    ['SHA-1 signed', { hash: 'sha1' as const }, /SHA-1 signature algorithm/],
    [
      'RSA-1024',
      { key: generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey },
      /1024 bits/,
    ],
  ])('a certificate that is %s is refused', (_what, o, message) => {
    expect(() => parseSignerPublicKey(cert(o), 'x.crt', NOW)).toThrow(message);
  });

  it.each([
    ['no PEM', 'hello', /no PEM block found/],
    [
      'a private key',
      ec().export({ type: 'pkcs8', format: 'pem' }),
      /unsupported PEM block type "PRIVATE KEY"/,
    ],
    [
      'an Ed25519 key',
      generateKeyPairSync('ed25519').publicKey.export({
        type: 'spki',
        format: 'pem',
      }),
      /unsupported public key type ed25519/,
    ],
    [
      'garbage DER',
      '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n',
      /not a DER SubjectPublicKeyInfo/,
    ],
  ])('%s is refused', (_what, text, message) => {
    expect(() => parseSignerPublicKey(String(text), 'k.pub', NOW)).toThrow(
      message,
    );
  });
});
