import { describe, expect, it } from 'vitest';
import { ImgsignError } from '../../../src/errors.js';
import {
  children,
  encodeInt,
  encodeOctets,
  encodeOid,
  encodeSequence,
  parseDer,
  readOid,
  readSmallInt,
} from '../../../src/notary/der.js';
import { decodePem, encodePem } from '../../../src/notary/keystore/pem.js';

describe('DER', () => {
  it.each([
    '1.2.840.113549.1.5.13',
    '1.3.6.1.4.1.11591.15.1',
    '2.16.840.1.101.3.4.1.42',
    '1.3.101.112',
  ])('OID %s round-trips', (oid) => {
    expect(readOid(parseDer(encodeOid(oid), 'oid'), 'oid')).toBe(oid);
  });

  it('encodes the OIDs and integers the way OpenSSL does', () => {
    expect(encodeOid('1.2.840.10045.3.1.7').toString('hex')).toBe(
      '06082a8648ce3d030107',
    );
    expect(encodeInt(2048).toString('hex')).toBe('02020800');
    expect(encodeInt(0).toString('hex')).toBe('020100');
    expect(encodeInt(128).toString('hex')).toBe('02020080');
  });

  it('uses long-form lengths past 127 bytes and reads them back', () => {
    const body = Buffer.alloc(300, 0xab);
    const der = encodeSequence(encodeOctets(body), encodeInt(1));
    expect(der.subarray(0, 4).toString('hex')).toBe('30820133');
    const [octets, one] = children(parseDer(der, 'x'), 'x');
    expect(octets!.body).toEqual(body);
    expect(readSmallInt(one, 'x')).toBe(1);
  });

  it.each([
    ['truncated', '3005020100'],
    ['trailing bytes', '30030201000000'],
    ['indefinite length', '3080020100'],
    ['5-byte length', '3085ffffffffff'],
    ['high tag number', '1f0100'],
    ['negative integer', '0201ff'],
  ])('rejects %s with KEY_INVALID', (_name, hex) => {
    const der = Buffer.from(hex, 'hex');
    expect(() => {
      const node = parseDer(der, 'x');
      if (node.tag === 0x30) children(node, 'x');
      readSmallInt(node, 'x');
    }).toThrow(ImgsignError);
  });
});

describe('PEM', () => {
  it('writes headers like Go: Proc-Type first, then sorted, then a blank line', () => {
    const text = encodePem({
      type: 'EC PRIVATE KEY',
      headers: { role: 'r', gun: 'g', 'DEK-Info': 'd', 'Proc-Type': 'p' },
      bytes: Buffer.alloc(60, 1),
    });
    expect(text).toBe(
      '-----BEGIN EC PRIVATE KEY-----\nProc-Type: p\nDEK-Info: d\ngun: g\nrole: r\n\n' +
        `${Buffer.alloc(48, 1).toString('base64')}\n${Buffer.alloc(12, 1).toString('base64')}\n` +
        '-----END EC PRIVATE KEY-----\n',
    );
    expect(decodePem(text, 'x')).toEqual({
      type: 'EC PRIVATE KEY',
      headers: { 'Proc-Type': 'p', 'DEK-Info': 'd', gun: 'g', role: 'r' },
      bytes: Buffer.alloc(60, 1),
    });
  });

  it('reads the first block, skipping text before it and CRLF line ends', () => {
    const text = `junk\r\n-----BEGIN PRIVATE KEY-----\r\nrole: a\r\n\r\nAAEC\r\n-----END PRIVATE KEY-----\r\n-----BEGIN X-----\nAA==\n-----END X-----\n`;
    const block = decodePem(text, 'x')!;
    expect(block.type).toBe('PRIVATE KEY');
    expect({ ...block.headers }).toEqual({ role: 'a' });
    expect(block.bytes).toEqual(Buffer.from([0, 1, 2]));
  });

  it('no block or no END line is undefined', () => {
    expect(decodePem('nothing', 'x')).toBeUndefined();
    expect(decodePem('-----BEGIN A-----\nAA==\n', 'x')).toBeUndefined();
  });
});
