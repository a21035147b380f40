import { chmod, readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { encodePrivateKeyPem } from '../../src/notary/keystore/key-file.js';
import { keyFile, loadWorld, newP256 } from './notary-key-hostile.js';

describe('when the key file to load is readable or writable by others', () => {
  it.each([0o644, 0o640, 0o604, 0o620, 0o602, 0o660, 0o700 | 0o004])(
    'refuses mode %o and stores nothing',
    async (mode) => {
      const w = await loadWorld();
      const file = await keyFile(
        w.dir,
        'k.pem',
        encodePrivateKeyPem(newP256()),
      );
      await chmod(file, mode);
      const r = await w.load(file);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        /refusing to load key from .*k\.pem: it must not be readable or writable by group or others/,
      );
      expect(r.stdout).not.toContain('Successfully');
      await expect(readdir(w.privateDir)).rejects.toThrow();
    },
  );

  it('accepts the same file once it is 0600 or 0400', async () => {
    for (const mode of [0o600, 0o400]) {
      const w = await loadWorld();
      const file = await keyFile(
        w.dir,
        'k.pem',
        encodePrivateKeyPem(newP256()),
      );
      await chmod(file, mode);
      expect((await w.load(file)).code).toBe(0);
      expect(await readdir(w.privateDir)).toHaveLength(1);
    }
  });
});
