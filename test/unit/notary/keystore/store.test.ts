import { generateKeyPairSync } from 'node:crypto';
import {
  cp,
  readFile,
  readdir,
  stat,
  symlink,
  writeFile,
  mkdir,
} from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ImgsignError } from '../../../../src/errors.js';
import { keyFileAttributes } from '../../../../src/notary/keystore/key-file.js';
import { fixedPassphrase } from '../../../../src/notary/keystore/passphrase.js';
import { TrustKeyStore } from '../../../../src/notary/keystore/store.js';
import { tufPrivateKeyFromKeyObject } from '../../../../src/notary/keystore/tuf-private-key.js';
import { sharedFixtures, tempDir } from '../../../helpers/paths.js';

const compat = join(sharedFixtures, 'notary/compatibility');
const v01 = {
  root: 'd0c623c8e70c70d42a8a8125c44a8598588b3f6e31d5c21a83cbc338dfde8a68',
  targets: '7fc757801b9bab4ec9e35bfe7a6b61668ff6f4c81b5632af19e6c728ab799599',
  snapshot: 'a55ccf652b0be4b6c4d356cbb02d9ea432bb84a2571665be3df7c7396af8e8b8',
};
const gun01 = 'docker.com/notary0.1/samplerepo';

function p256() {
  return tufPrivateKeyFromKeyObject(
    generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
    'test key',
  );
}

describe('TrustKeyStore over the notary 0.1 legacy layout (read in place)', () => {
  it('lists keys with roles from the file name suffix and the GUN from the path', async () => {
    const store = await TrustKeyStore.open(join(compat, 'notary0.1'), {
      migrate: false,
    });
    const keys = await store.listKeys();
    expect(
      keys.map(({ id, role, gun, legacy }) => ({ id, role, gun, legacy })),
    ).toEqual([
      { id: v01.root, role: 'root', gun: '', legacy: true },
      { id: v01.targets, role: 'targets', gun: gun01, legacy: true },
      { id: v01.snapshot, role: 'snapshot', gun: gun01, legacy: true },
    ]);
  });

  it('getKey decrypts with the passphrase and checks the ID', async () => {
    const store = await TrustKeyStore.open(join(compat, 'notary0.1'), {
      migrate: false,
    });
    const { key, info } = await store.getKey(
      v01.targets,
      fixedPassphrase('randompass'),
    );
    expect(key.id).toBe(v01.targets);
    expect(info.role).toBe('targets');
    await expect(
      store.getKey(v01.targets, fixedPassphrase('nope', 3)),
    ).rejects.toMatchObject({
      code: 'PASSPHRASE',
      message: expect.stringMatching(/wrong passphrase; giving up after 3/),
    });
  });

  it('notary 0.3 layout: role headers, the gun-less delegation key in tuf_keys/', async () => {
    const store = await TrustKeyStore.open(join(compat, 'notary0.3'), {
      migrate: false,
    });
    const keys = await store.listKeys();
    expect(keys.map((k) => [k.role, k.gun]).sort()).toEqual([
      ['root', ''],
      ['snapshot', 'docker.com/notary0.3/tst'],
      ['targets', 'docker.com/notary0.3/tst'],
      ['targets/releases', ''],
    ]);
    for (const k of keys) {
      expect(
        (await store.getKey(k.id, fixedPassphrase('password'))).key.id,
      ).toBe(k.id);
    }
  });
});

describe('migrating the legacy layout', () => {
  it('moves keys to private/<id>.key with role and gun headers, keeping the encryption', async () => {
    const dir = await tempDir();
    await cp(join(compat, 'notary0.1'), dir, { recursive: true });
    const store = await TrustKeyStore.open(dir);
    expect(existsSync(join(dir, 'private/root_keys'))).toBe(false);
    expect(existsSync(join(dir, 'private/tuf_keys'))).toBe(false);
    expect((await readdir(join(dir, 'private'))).sort()).toEqual(
      [v01.root, v01.targets, v01.snapshot].map((id) => `${id}.key`).sort(),
    );
    const targets = await readFile(
      join(dir, `private/${v01.targets}.key`),
      'utf8',
    );
    expect(keyFileAttributes(targets, 't')).toEqual({
      type: 'EC PRIVATE KEY',
      role: 'targets',
      gun: gun01,
      encrypted: true,
    });
    expect(targets).toMatch(
      /^-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,[0-9a-f]{32}\ngun: docker.com\/notary0.1\/samplerepo\nrole: targets\n\n/,
    );
    const root = await readFile(join(dir, `private/${v01.root}.key`), 'utf8');
    expect(keyFileAttributes(root, 'r')).toMatchObject({
      role: 'root',
      gun: '',
    });
    expect(
      (await stat(join(dir, `private/${v01.root}.key`))).mode & 0o777,
    ).toBe(0o600);
    const keys = await store.listKeys();
    expect(keys.every((k) => !k.legacy)).toBe(true);
    expect(
      (await store.getKey(v01.root, fixedPassphrase('randompass'))).key.id,
    ).toBe(v01.root);
  });

  it('keeps a legacy file it cannot read (and its directory)', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'private/root_keys'), { recursive: true });
    await writeFile(
      join(dir, 'private/root_keys', `${'a'.repeat(64)}_root.key`),
      'not pem',
    );
    await TrustKeyStore.open(dir);
    expect(
      existsSync(join(dir, 'private/root_keys', `${'a'.repeat(64)}_root.key`)),
    ).toBe(true);
  });
});

describe('adding keys', () => {
  it('writes private/<id>.key 0600 in a 0700 directory; gun only for repository roles', async () => {
    const dir = join(await tempDir(), 'trust');
    const store = await TrustKeyStore.open(dir);
    const key = p256();
    const info = await store.addKey(key, {
      role: 'alice',
      gun: 'example.com/x',
      passphrase: fixedPassphrase('pw'),
    });
    expect(info).toEqual({
      id: key.id,
      role: 'alice',
      gun: '',
      path: join(dir, 'private', `${key.id}.key`),
      legacy: false,
    });
    expect((await stat(info.path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'private'))).mode & 0o777).toBe(0o700);
    const t = await store.addKey(p256(), {
      role: 'targets',
      gun: 'example.com/x',
      passphrase: fixedPassphrase('pw'),
    });
    expect(t.gun).toBe('example.com/x');
    expect((await store.listKeys()).map((k) => k.id).sort()).toEqual(
      [key.id, t.id].sort(),
    );
    expect(
      (await store.getKey(key.id, fixedPassphrase('pw'))).key.privateBytes,
    ).toEqual(key.privateBytes);
    expect(await readdir(join(dir, 'private'))).toHaveLength(2);
  });

  it('an empty passphrase stores an unencrypted PRIVATE KEY (as notary does)', async () => {
    const store = await TrustKeyStore.open(await tempDir());
    const info = await store.addKey(p256(), {
      role: 'bob',
      passphrase: fixedPassphrase(''),
    });
    expect(await readFile(info.path, 'utf8')).toMatch(
      /^-----BEGIN PRIVATE KEY-----\nrole: bob\n/,
    );
  });

  it('a key file whose key does not hash to its name is refused', async () => {
    const dir = await tempDir();
    const store = await TrustKeyStore.open(dir);
    const info = await store.addKey(p256(), {
      role: 'a',
      passphrase: fixedPassphrase('pw'),
    });
    const other = await store.addKey(p256(), {
      role: 'b',
      passphrase: fixedPassphrase('pw'),
    });
    await writeFile(other.path, await readFile(info.path));
    const err = await store
      .getKey(other.id, fixedPassphrase('pw'))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImgsignError);
    expect((err as ImgsignError).code).toBe('KEY_INVALID');
  });

  it('symlinks in private/ are not listed', async () => {
    const dir = await tempDir();
    const store = await TrustKeyStore.open(dir);
    const info = await store.addKey(p256(), {
      role: 'a',
      passphrase: fixedPassphrase('pw'),
    });
    await symlink(info.path, join(dir, 'private', `${'b'.repeat(64)}.key`));
    expect((await store.listKeys()).map((k) => k.id)).toEqual([info.id]);
  });
});
