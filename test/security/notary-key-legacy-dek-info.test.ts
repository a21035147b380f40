import { describe, expect, it } from 'vitest';
import { ImgsignError } from '../../src/errors.js';
import { parsePrivateKeyPem } from '../../src/notary/keystore/key-file.js';
import { encodePem } from '../../src/notary/keystore/pem.js';

function legacy(dekInfo: string, body: Buffer): string {
  return encodePem({
    type: 'EC PRIVATE KEY',
    headers: { 'Proc-Type': '4,ENCRYPTED', 'DEK-Info': dekInfo },
    bytes: body,
  });
}

function code(text: string): string {
  try {
    parsePrivateKeyPem(text, 'pw', 'legacy.key');
    return 'parsed';
  } catch (err) {
    if (!(err instanceof ImgsignError)) throw err;
    return `${err.code}: ${err.message}`;
  }
}

describe('when a legacy encrypted PEM key has hostile DEK-Info', () => {
  it.each([
    ['AES-256-CBC,00', /DEK-Info IV must be 16 bytes of hex/],
    [
      'AES-256-CBC,zz112233445566778899aabbccddeeff',
      /DEK-Info IV must be 16 bytes/,
    ],
    ['AES-256-CBC', /DEK-Info IV must be 16 bytes/],
    [
      'ROT13,00112233445566778899aabbccddeeff',
      /unsupported DEK-Info cipher "ROT13"/,
    ],
    ['', /unsupported DEK-Info cipher ""/],
  ])('%j is KEY_INVALID', (dek, message) => {
    const result = code(legacy(dek, Buffer.alloc(32)));
    expect(result).toMatch(/^KEY_INVALID: legacy\.key: /);
    expect(result).toMatch(message);
  });

  it('a body that is not a whole number of blocks is KEY_INVALID', () => {
    expect(
      code(
        legacy(
          'AES-128-CBC,00112233445566778899aabbccddeeff',
          Buffer.alloc(20),
        ),
      ),
    ).toMatch(/^KEY_INVALID: .*not a multiple of the AES-128-CBC block size/);
  });

  it('random ciphertext under the right shape is a wrong passphrase', () => {
    expect(
      code(
        legacy(
          'AES-256-CBC,00112233445566778899aabbccddeeff',
          Buffer.alloc(48, 1),
        ),
      ),
    ).toMatch(/^PASSPHRASE: cannot decrypt legacy\.key: wrong passphrase$/);
  });
});
