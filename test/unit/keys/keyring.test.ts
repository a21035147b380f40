import { readFileSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateKey } from '../../../src/keys/generate.js';
import { Keyring, keyringDir } from '../../../src/keys/keyring.js';
import {
  resolveSigner,
  loadVerificationKeys,
} from '../../../src/keys/resolve.js';
import { writeFileAtomic } from '../../../src/keys/files.js';
import { signatureFixtures, tempDir } from '../../helpers/paths.js';

const fx = (name: string): Buffer =>
  readFileSync(join(signatureFixtures, name));
const K1 = '08CD26E446E2E95249B7A405E932F44B23E8DD43';
const KP = 'F2B501009F78B0B340221A12A3CD242DA6028093';
const KS = 'B9F4CDB9FD8C475BFA340AC38D54A947EE396F36';

describe('Keyring', () => {
  it('defaults under the home directory and honours imgsignHome', () => {
    expect(keyringDir({ homeDir: '/home/u' })).toBe(
      '/home/u/.local/share/imgsign',
    );
    expect(keyringDir({ imgsignHome: '/x', homeDir: '/home/u' })).toBe('/x');
  });

  it('is empty before anything is imported', async () => {
    const keyring = new Keyring(join(await tempDir(), 'none'));
    expect(await keyring.list()).toEqual([]);
  });

  it('imports a binary keyring with several keys and lists them', async () => {
    const keyring = new Keyring(await tempDir());
    const imported = await keyring.import(fx('pubring.gpg'), 'pubring.gpg');
    expect(imported.map((k) => k.fingerprint)).toEqual([
      KP,
      K1,
      KS,
      '6D88C5A1993648A17B2BB0DC6B8499AF63388D63',
    ]);
    const listed = await keyring.list();
    expect(listed.map((k) => k.fingerprint).sort()).toEqual(
      imported.map((k) => k.fingerprint).sort(),
    );
    expect(listed.every((k) => !k.hasSecret)).toBe(true);
    expect((await keyring.get('skopeo testing key')).fingerprint).toBe(K1);
    expect((await keyring.get('D75B3109B3BAAEAF')).fingerprint).toBe(KS);
  });

  it('finds a secret key by any name and returns its file as stored', async () => {
    const dir = await tempDir();
    const keyring = new Keyring(dir);
    await keyring.import(fx('pubring.gpg'), 'pubring.gpg');
    await keyring.import(fx('secring.gpg'), 'secring.gpg');
    const found = await keyring.findSecret('skopeo testing key');
    expect(found?.key.fingerprint).toBe(K1);
    expect(found?.secret).toEqual(readFileSync(join(dir, 'keys', `${K1}.sec`)));
    // public only: no secret to find
    expect(await keyring.findSecret(KS)).toBeUndefined();
  });

  it('stores secret keys encrypted as given, mode 0600, in a 0700 directory', async () => {
    const dir = await tempDir();
    const keyring = new Keyring(dir);
    await keyring.import(fx('secring.gpg'), 'secring.gpg');
    const kp = await keyring.get(KP, { secret: true });
    expect(kp.hasSecret).toBe(true);
    expect(kp.isEncrypted).toBe(true);
    const sec = await stat(join(dir, 'keys', `${KP}.sec`));
    expect(sec.mode & 0o777).toBe(0o600);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect(
      (await readdir(join(dir, 'keys'))).filter((n) => n.endsWith('.tmp')),
    ).toEqual([]);
  });

  it('merges a re-imported public key and deletes keys', async () => {
    const keyring = new Keyring(await tempDir());
    await keyring.import(fx('public-key.gpg'), 'a');
    await keyring.import(fx('public-key-1.gpg'), 'b');
    expect((await keyring.list()).map((k) => k.fingerprint)).toEqual([K1]);
    await keyring.delete('skopeo testing key');
    expect(await keyring.list()).toEqual([]);
    await expect(keyring.delete(K1)).rejects.toThrow(
      expect.objectContaining({ code: 'KEY_NOT_FOUND' }),
    );
  });

  it('rejects a file that holds no key', async () => {
    const keyring = new Keyring(await tempDir());
    await expect(
      keyring.import(Buffer.from('This is invalid'), 'junk'),
    ).rejects.toThrow(
      expect.objectContaining({
        code: 'KEY_INVALID',
        message: expect.stringMatching(/^junk /),
      }),
    );
  });
});

describe('resolveSigner and loadVerificationKeys', () => {
  it('signs with a key from the imgsign keyring, found by email', async () => {
    const home = await tempDir();
    const keyring = new Keyring(home);
    const key = await generateKey(keyring, {
      name: 'CI',
      email: 'ci@example.com',
    });
    const sys = { imgsignHome: home, gnupgHome: join(home, 'no-gnupg') };
    const signer = await resolveSigner({ signBy: 'ci@example.com' }, sys);
    expect(signer.fingerprint).toBe(key.fingerprint);
    const verifier = await loadVerificationKeys(
      { fingerprints: [key.fingerprint], publicKeyFiles: [] },
      sys,
    );
    const result = await verifier.verify(await signer.sign(Buffer.from('p')));
    expect(result.keyIdentity).toBe(key.fingerprint);
  });

  it('signs with --sign-by-key-file and a passphrase, checking --sign-by against it', async () => {
    const dir = await tempDir();
    const keyring = new Keyring(join(dir, 'kr'));
    await keyring.import(fx('secring.gpg'), 'secring.gpg');
    const file = join(dir, 'kp.gpg');
    await writeFileAtomic(file, await keyring.readSecret(KP), { mode: 0o600 });
    const sys = { imgsignHome: join(dir, 'empty') };
    const signer = await resolveSigner(
      { keyFile: file, passphrase: 'WithPassphrase123' },
      sys,
    );
    expect(signer.fingerprint).toBe(KP);
    await expect(
      resolveSigner(
        { keyFile: file, passphrase: 'WithPassphrase123', signBy: K1 },
        sys,
      ),
    ).rejects.toThrow(/does not match --sign-by/);
    await expect(resolveSigner({ keyFile: file }, sys)).rejects.toThrow(
      expect.objectContaining({ code: 'PASSPHRASE' }),
    );
  });

  it('reports a key that is nowhere', async () => {
    const dir = await tempDir();
    await expect(
      resolveSigner(
        { signBy: 'nobody@example.com' },
        { imgsignHome: dir, gnupgHome: join(dir, 'gnupg') },
      ),
    ).rejects.toThrow(expect.objectContaining({ code: 'KEY_NOT_FOUND' }));
  });

  it('needs key files for "any"', async () => {
    await expect(
      loadVerificationKeys(
        { fingerprints: 'any', publicKeyFiles: [] },
        { imgsignHome: await tempDir() },
      ),
    ).rejects.toThrow(/requires at least one --public-key-file/);
  });
});
