import { execFileSync } from 'node:child_process';
import {
  createPublicKey,
  generateKeyPairSync,
  X509Certificate,
} from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRootCertificate } from '../../../../src/notary/publish/root-certificate.js';
import {
  parseTufKey,
  tufKeyFromCertificatePEM,
} from '../../../../src/notary/tuf/keys.js';
import { certificateProblem } from '../../../../src/notary/tuf/root-certs.js';
import { certificateInfo } from '../../../../src/notary/tuf/x509-info.js';

const NOW = new Date('2026-11-23T03:04:05.678Z');

describe('the root certificate of a new repository', () => {
  it.each([
    [
      'ECDSA P-256',
      () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
    ],
    [
      'RSA 2048',
      () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
    ],
  ])("is self-signed for the GUN with notary's fields (%s)", (_name, make) => {
    const key = make();
    const pem = createRootCertificate({
      privateKey: key,
      gun: 'example.com/a_b/c',
      now: NOW,
    });
    const cert = new X509Certificate(pem);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.subject).toBe('CN=example.com/a_b/c');
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.3']);
    const info = certificateInfo(cert);
    expect(info.notBefore.toISOString()).toBe('2026-11-23T03:04:05.000Z');
    expect(info.notAfter.toISOString()).toBe('2036-11-20T03:04:05.000Z');
    expect(cert.publicKey.export({ type: 'spki', format: 'der' })).toEqual(
      createPublicKey(key).export({ type: 'spki', format: 'der' }),
    );
    const tuf = parseTufKey(tufKeyFromCertificatePEM(pem), 'root');
    expect(certificateProblem(tuf, { now: NOW })).toBeUndefined();
  });

  it('uses GeneralizedTime for a validity end after 2049', () => {
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const pem = createRootCertificate({
      privateKey: key,
      gun: 'x.io/y',
      now: new Date('2045-01-01T00:00:00Z'),
    });
    expect(
      certificateInfo(new X509Certificate(pem)).notAfter.toISOString(),
    ).toBe('2054-12-30T00:00:00.000Z');
  });

  it('refuses an Ed25519 root key', () => {
    const key = generateKeyPairSync('ed25519').privateKey;
    expect(() =>
      createRootCertificate({ privateKey: key, gun: 'x.io/y', now: NOW }),
    ).toThrow(/must be ECDSA or RSA/);
  });

  it('openssl reads the extensions notary sets', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'imgsign-cert-'));
    try {
      const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
      await writeFile(
        join(dir, 'c.pem'),
        createRootCertificate({
          privateKey: key,
          gun: 'example.com/app',
          now: NOW,
        }),
      );
      const text = execFileSync(
        'openssl',
        ['x509', '-in', join(dir, 'c.pem'), '-noout', '-text'],
        { encoding: 'utf8' },
      );
      expect(text).toMatch(/Signature Algorithm: ecdsa-with-SHA256/);
      expect(text).toMatch(
        /X509v3 Key Usage: critical\s+Digital Signature, Key Encipherment/,
      );
      expect(text).toMatch(/X509v3 Extended Key Usage:\s+Code Signing/);
      expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/);
      execFileSync(
        'openssl',
        [
          'verify',
          '-CAfile',
          join(dir, 'c.pem'),
          '-partial_chain',
          join(dir, 'c.pem'),
        ],
        { stdio: 'ignore' },
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
