/**
 * Self-signed X.509 certificates built in DER for tests, with full control
 * over CN, validity, CA flag and signature hash (SHA-1 included), so the
 * hostile root certificates of SPEC §8 need no openssl configuration.
 */
import { createPublicKey, sign, type KeyObject } from 'node:crypto';

function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), len(body.length), body]);
}

const seq = (...c: Buffer[]): Buffer => tlv(0x30, ...c);

function oid(dotted: string): Buffer {
  const [a = 0, b = 0, ...rest] = dotted.split('.').map((x) => Number(x));
  const out = [a * 40 + b];
  for (const v of rest) {
    const chunk: number[] = [v & 0x7f];
    for (let x = Math.floor(v / 128); x > 0; x = Math.floor(x / 128)) {
      chunk.unshift(0x80 | (x & 0x7f));
    }
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
  const y = d.getUTCFullYear();
  return y >= 1950 && y < 2050
    ? tlv(0x17, Buffer.from(iso.slice(2), 'latin1'))
    : tlv(0x18, Buffer.from(iso, 'latin1'));
}

const name = (cn: string): Buffer =>
  seq(tlv(0x31, seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from(cn, 'utf8')))));

export interface CertOptions {
  cn: string;
  /** The private key: it certifies its own public key (self-signed). */
  key: KeyObject;
  notBefore: Date;
  notAfter: Date;
  ca?: boolean;
  hash?: 'sha256' | 'sha1';
}

/** A self-signed PEM certificate. */
export function makeCert(o: CertOptions): string {
  const hash = o.hash ?? 'sha256';
  const rsa = o.key.asymmetricKeyType === 'rsa';
  const algOid = rsa
    ? hash === 'sha1'
      ? '1.2.840.113549.1.1.5'
      : '1.2.840.113549.1.1.11'
    : hash === 'sha1'
      ? '1.2.840.10045.4.1'
      : '1.2.840.10045.4.3.2';
  const algId = rsa ? seq(oid(algOid), tlv(0x05)) : seq(oid(algOid));
  const spki = createPublicKey(o.key).export({ type: 'spki', format: 'der' });
  const basicConstraints = seq(
    oid('2.5.29.19'),
    tlv(0x01, Buffer.from([0xff])),
    tlv(0x04, o.ca ? seq(tlv(0x01, Buffer.from([0xff]))) : seq()),
  );
  const tbs = seq(
    tlv(0xa0, tlv(0x02, Buffer.from([2]))),
    tlv(0x02, Buffer.from([0x01, 0x23, 0x45])),
    algId,
    name(o.cn),
    seq(time(o.notBefore), time(o.notAfter)),
    name(o.cn),
    spki,
    tlv(0xa3, seq(basicConstraints)),
  );
  const sig = sign(hash, tbs, o.key);
  const cert = seq(tbs, algId, tlv(0x03, Buffer.from([0]), sig));
  const b64 = cert.toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END CERTIFICATE-----\n`;
}
