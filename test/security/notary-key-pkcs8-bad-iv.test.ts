import { describe, expect, it } from 'vitest';
import { ImgsignError } from '../../src/errors.js';
import { parsePrivateKeyPem } from '../../src/notary/keystore/key-file.js';
import {
  PASS,
  encryptedPkcs8,
  keyFile,
  loadWorld,
} from './notary-key-hostile.js';

describe('when an encrypted PKCS#8 key has an IV that is not 16 bytes', () => {
  it.each([0, 1, 8, 15, 17, 32])('rejects a %i-byte IV cleanly', (n) => {
    const pem = encryptedPkcs8(Buffer.alloc(n, 7), Buffer.alloc(64, 9));
    let err: unknown;
    try {
      parsePrivateKeyPem(pem, PASS, 'hostile.key');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ImgsignError);
    expect((err as ImgsignError).code).toBe('KEY_INVALID');
    expect((err as Error).message).toBe(
      `hostile.key: unsupported or malformed encrypted PKCS#8 key: IV of ${n} bytes (16 expected)`,
    );
  });

  it('key load exits 2 with a single line naming the file', async () => {
    const w = await loadWorld();
    const file = await keyFile(
      w.dir,
      'bad-iv.pem',
      encryptedPkcs8(Buffer.alloc(8), Buffer.alloc(32)),
    );
    const r = await w.load(file);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^imgsign: .*bad-iv\.pem: .*IV of 8 bytes \(16 expected\)\n$/,
    );
  });
});
