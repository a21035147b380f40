import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ImgsignError } from '../../src/errors.js';
import {
  encodePrivateKeyPem,
  parsePrivateKeyPem,
} from '../../src/notary/keystore/key-file.js';
import { decodePem, encodePem } from '../../src/notary/keystore/pem.js';
import { PASS, encryptedPkcs8, newP256 } from './notary-key-hostile.js';

function outcome(text: string, passphrase: string | undefined): string {
  try {
    parsePrivateKeyPem(text, passphrase, 'hostile.key');
    return 'parsed';
  } catch (err) {
    if (!(err instanceof ImgsignError)) throw err;
    expect(err.message).not.toContain('\n');
    return err.code;
  }
}

describe('when a key file holds malformed DER', () => {
  it('random bodies and truncations never crash, only KEY_INVALID/PASSPHRASE errors', () => {
    const base = decodePem(
      encodePrivateKeyPem(newP256(), { passphrase: PASS }),
      'k',
    )!;
    const plain = decodePem(encodePrivateKeyPem(newP256()), 'k')!;
    for (const block of [base, plain]) {
      for (let cut = 0; cut < block.bytes.length; cut += 3) {
        const text = encodePem({
          ...block,
          bytes: block.bytes.subarray(0, cut),
        });
        expect(['KEY_INVALID', 'PASSPHRASE']).toContain(outcome(text, PASS));
      }
      for (let i = 0; i < 300; i++) {
        const bytes = Buffer.from(block.bytes);
        const at = i % bytes.length;
        bytes[at] = bytes[at]! ^ (1 + (i % 255));
        const result = outcome(encodePem({ ...block, bytes }), PASS);
        expect(['KEY_INVALID', 'PASSPHRASE', 'parsed']).toContain(result);
      }
    }
    for (let i = 0; i < 100; i++) {
      for (const type of [
        'ENCRYPTED PRIVATE KEY',
        'PRIVATE KEY',
        'EC PRIVATE KEY',
      ]) {
        const text = encodePem({
          type,
          headers: {},
          bytes: randomBytes(i * 3),
        });
        expect(['KEY_INVALID', 'PASSPHRASE']).toContain(outcome(text, PASS));
      }
    }
  });

  it('a length field pointing past the end is KEY_INVALID', () => {
    const text = encodePem({
      type: 'PRIVATE KEY',
      headers: {},
      bytes: Buffer.from([
        0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x02, 0x01, 0x00,
      ]),
    });
    expect(outcome(text, undefined)).toBe('KEY_INVALID');
  });

  it('a hostile PBKDF2 iteration count is refused before deriving', () => {
    const pem = encryptedPkcs8(Buffer.alloc(16), Buffer.alloc(32), 0x7fffffff);
    const err = (() => {
      try {
        parsePrivateKeyPem(pem, PASS, 'hostile.key');
      } catch (e) {
        return e as ImgsignError;
      }
      throw new Error('parsed');
    })();
    expect(err.code).toBe('KEY_INVALID');
    expect(err.message).toMatch(/PBKDF2 iteration count 2147483647$/);
    expect(
      outcome(encryptedPkcs8(Buffer.alloc(16), Buffer.alloc(32), 0), PASS),
    ).toBe('KEY_INVALID');
  });

  it('a base64 body with garbage is KEY_INVALID', () => {
    expect(
      outcome(
        '-----BEGIN PRIVATE KEY-----\n@@@@\n-----END PRIVATE KEY-----\n',
        undefined,
      ),
    ).toBe('KEY_INVALID');
  });

  it('a file without any PEM block is KEY_INVALID', () => {
    expect(outcome('just text', undefined)).toBe('KEY_INVALID');
  });
});
