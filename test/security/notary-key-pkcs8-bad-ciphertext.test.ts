import { describe, expect, it } from 'vitest';
import { ImgsignError } from '../../src/errors.js';
import { parsePrivateKeyPem } from '../../src/notary/keystore/key-file.js';
import {
  PASS,
  encryptedPkcs8,
  keyFile,
  loadWorld,
} from './notary-key-hostile.js';

describe('when the encrypted PKCS#8 ciphertext is not a multiple of the AES block size', () => {
  it.each([0, 1, 15, 17, 100])(
    'rejects %i bytes of ciphertext cleanly',
    (n) => {
      const pem = encryptedPkcs8(Buffer.alloc(16, 3), Buffer.alloc(n, 5));
      let err: unknown;
      try {
        parsePrivateKeyPem(pem, PASS, 'hostile.key');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ImgsignError);
      expect((err as ImgsignError).code).toBe('KEY_INVALID');
      expect((err as Error).message).toMatch(
        new RegExp(
          `ciphertext of ${n} bytes is not a multiple of the AES block size$`,
        ),
      );
    },
  );

  it('key load exits 2 with a single line', async () => {
    const w = await loadWorld();
    const file = await keyFile(
      w.dir,
      'short.pem',
      encryptedPkcs8(Buffer.alloc(16), Buffer.alloc(33)),
    );
    const r = await w.load(file);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^imgsign: .*short\.pem: .*ciphertext of 33 bytes .*\n$/,
    );
  });
});
