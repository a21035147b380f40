import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { fixedPassphrase } from '../../src/notary/keystore/passphrase.js';
import { TrustKeyStore } from '../../src/notary/keystore/store.js';
import { tempDir } from '../helpers/paths.js';
import { PASS, newP256 } from './notary-key-hostile.js';

describe('when a key file holds another key than its name says', () => {
  it('getKey refuses it instead of signing with the wrong key', async () => {
    const store = await TrustKeyStore.open(await tempDir());
    const alice = await store.addKey(newP256(), {
      role: 'alice',
      passphrase: fixedPassphrase(PASS),
    });
    const bob = await store.addKey(newP256(), {
      role: 'bob',
      passphrase: fixedPassphrase(PASS),
    });
    // Plant alice's key under bob's file name.
    await writeFile(bob.path, await readFile(alice.path));
    await expect(
      store.getKey(bob.id, fixedPassphrase(PASS)),
    ).rejects.toMatchObject({
      code: 'KEY_INVALID',
      message: `${bob.path} holds key ${alice.id}, not ${bob.id}; remove or rename the file`,
    });
    expect((await store.getKey(alice.id, fixedPassphrase(PASS))).key.id).toBe(
      alice.id,
    );
  });
});
