/**
 * The self-signed root certificate notary makes when it initializes a
 * repository (SPEC §7.7): subject and issuer CN=<GUN>, valid from now for
 * 10 years (notary's 10 × 365 days), SHA-256 signature, key usage
 * digitalSignature|keyEncipherment, extended key usage codeSigning, basic
 * constraints CA:FALSE, a random 128-bit serial. node:crypto cannot create
 * certificates, so the DER is written here with the keystore's DER writer.
 */
import {
  createPublicKey,
  randomBytes,
  sign,
  type KeyObject,
} from 'node:crypto';
import { ImgsignError } from '../../errors.js';
import {
  encode,
  encodeInt,
  encodeOctets,
  encodeOid,
  encodeSequence,
  TAG,
} from '../der.js';

const OID = {
  commonName: '2.5.4.3',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  sha256WithRSA: '1.2.840.113549.1.1.11',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  basicConstraints: '2.5.29.19',
  codeSigning: '1.3.6.1.5.5.7.3.3',
} as const;

/** Notary's certificate lifetime: 10 × notary.Year (365 days). */
export const ROOT_CERT_VALIDITY_MS = 10 * 365 * 86_400_000;

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

/** A string as Go's asn1 writes it: PrintableString when it can, else UTF8String. */
function directoryString(s: string): Buffer {
  return PRINTABLE.test(s)
    ? encode(0x13, Buffer.from(s, 'latin1'))
    : encode(0x0c, Buffer.from(s, 'utf8'));
}

function commonNameOnly(cn: string): Buffer {
  const atv = encodeSequence(encodeOid(OID.commonName), directoryString(cn));
  return encodeSequence(encode(0x31, atv));
}

/** UTCTime before 2050, GeneralizedTime after (RFC 5280 §4.1.2.5), whole seconds. */
function certTime(d: Date): Buffer {
  const digits = d
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/[-:T]/g, '');
  const year = d.getUTCFullYear();
  return year < 2050
    ? encode(0x17, Buffer.from(digits.slice(2), 'latin1'))
    : encode(0x18, Buffer.from(digits, 'latin1'));
}

/** A positive INTEGER from big-endian bytes. */
function encodeUnsigned(bytes: Buffer): Buffer {
  let b = bytes;
  while (b.length > 1 && b[0] === 0 && (b[1]! & 0x80) === 0) b = b.subarray(1);
  if (b[0]! & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return encode(TAG.integer, b);
}

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  return encodeSequence(
    encodeOid(oid),
    ...(critical ? [encode(0x01, Buffer.from([0xff]))] : []),
    encodeOctets(value),
  );
}

function bitString(bytes: Buffer, unusedBits: number): Buffer {
  return encode(
    TAG.bitString,
    Buffer.concat([Buffer.from([unusedBits]), bytes]),
  );
}

function signatureAlgorithm(key: KeyObject): Buffer {
  switch (key.asymmetricKeyType) {
    case 'ec':
      return encodeSequence(encodeOid(OID.ecdsaWithSHA256));
    case 'rsa':
      return encodeSequence(
        encodeOid(OID.sha256WithRSA),
        encode(TAG.null, Buffer.alloc(0)),
      );
    default:
      throw new ImgsignError(
        'KEY_INVALID',
        `a root key must be ECDSA or RSA to carry a certificate, not ${String(key.asymmetricKeyType)}`,
      );
  }
}

export interface RootCertificateOptions {
  /** Private root key: it certifies its own public key. */
  privateKey: KeyObject;
  gun: string;
  /** Start of validity. */
  now: Date;
}

/** The PEM certificate for a new root key of `gun`. */
export function createRootCertificate(o: RootCertificateOptions): string {
  const { privateKey, gun, now } = o;
  const algorithm = signatureAlgorithm(privateKey);
  const start = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const end = new Date(start.getTime() + ROOT_CERT_VALIDITY_MS);
  const spki = createPublicKey(privateKey).export({
    type: 'spki',
    format: 'der',
  });
  const name = commonNameOnly(gun);
  // keyUsage bits 0 (digitalSignature) and 2 (keyEncipherment): 1010 0000, 5 unused.
  const keyUsage = bitString(Buffer.from([0xa0]), 5);
  const extKeyUsage = encodeSequence(encodeOid(OID.codeSigning));
  const basicConstraints = encodeSequence();
  const tbs = encodeSequence(
    encode(0xa0, encodeInt(2)),
    encodeUnsigned(randomSerial()),
    algorithm,
    name,
    encodeSequence(certTime(start), certTime(end)),
    name,
    spki,
    encode(
      0xa3,
      encodeSequence(
        extension(OID.keyUsage, true, keyUsage),
        extension(OID.extKeyUsage, false, extKeyUsage),
        extension(OID.basicConstraints, true, basicConstraints),
      ),
    ),
  );
  const signature = sign('sha256', tbs, {
    key: privateKey,
    dsaEncoding: 'der',
  });
  const der = encodeSequence(tbs, algorithm, bitString(signature, 0));
  const b64 = der.toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${b64.replace(/\n?$/, '\n')}-----END CERTIFICATE-----\n`;
}

/** 128 random bits, as Go's x509 helpers draw serial numbers. */
function randomSerial(): Buffer {
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f;
  return b;
}
