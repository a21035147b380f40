import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { encodePrivateKeyPem } from '../../src/notary/keystore/key-file.js';
import { fixedPassphrase } from '../../src/notary/keystore/passphrase.js';
import { TrustKeyStore } from '../../src/notary/keystore/store.js';
import { tempDir } from '../helpers/paths.js';
import { PASS, keyFile, loadWorld, newP256 } from './notary-key-hostile.js';

describe('when the passphrase is wrong', () => {
  it('key load fails with a passphrase error and stores nothing', async () => {
    const w = await loadWorld('not the passphrase');
    const file = await keyFile(
      w.dir,
      'enc.pem',
      encodePrivateKeyPem(newP256(), { passphrase: PASS }),
    );
    const r = await w.load(file);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^imgsign: cannot decrypt .*enc\.pem: wrong passphrase; the passphrase in DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE was tried 3 times/,
    );
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    await expect(readdir(w.privateDir)).rejects.toThrow();
  });

  it('reading a stored key fails with PASSPHRASE, never returning a key', async () => {
    const store = await TrustKeyStore.open(await tempDir());
    const info = await store.addKey(newP256(), {
      role: 'alice',
      passphrase: fixedPassphrase(PASS),
    });
    await expect(
      store.getKey(info.id, fixedPassphrase(`${PASS}x`, 2)),
    ).rejects.toMatchObject({
      code: 'PASSPHRASE',
      message: expect.stringContaining(
        `cannot decrypt ${info.path}: wrong passphrase`,
      ),
    });
  });
});
