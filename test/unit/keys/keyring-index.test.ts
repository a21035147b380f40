import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { describeIndexed } from '../../../src/keys/keyring-index.js';
import { Keyring } from '../../../src/keys/keyring.js';
import type { KeyDescriptor } from '../../../src/keys/lookup.js';
import { readKeyMaterial } from '../../../src/signature/pgp/keys.js';
import { signatureFixtures, tempDir } from '../../helpers/paths.js';

const K1 = '08CD26E446E2E95249B7A405E932F44B23E8DD43';
const KS = 'B9F4CDB9FD8C475BFA340AC38D54A947EE396F36';

/** A keyring with two public keys, and a describe() that counts the files it parses. */
async function keyringWithTwoKeys() {
  const dir = await tempDir();
  await new Keyring(dir).import(
    readFileSync(join(signatureFixtures, 'pubring.gpg')),
    'pubring.gpg',
  );
  const keysDir = join(dir, 'keys');
  const describeKey = vi.fn(
    async (path: string): Promise<KeyDescriptor | undefined> =>
      (await readKeyMaterial(readFileSync(path), path))[0],
  );
  const find = () => describeIndexed(keysDir, [K1, KS], describeKey);
  return { dir, keysDir, describeKey, find };
}

describe('keyring index (keys/index.json)', () => {
  it('describes each key once, then from the index without parsing', async () => {
    const { describeKey, find } = await keyringWithTwoKeys();
    const first = await find();
    expect(first.map((k) => k.fingerprint)).toEqual([K1, KS]);
    expect(describeKey).toHaveBeenCalledTimes(2);
    const second = await find();
    expect(second).toEqual(first);
    expect(second[0]?.userIds).toContain('skopeo testing key');
    expect(describeKey).toHaveBeenCalledTimes(2);
  });

  it('parses again a key file that changed since it was indexed', async () => {
    const { keysDir, describeKey, find } = await keyringWithTwoKeys();
    await find();
    // rewritten the way imgsign writes files: new inode, same bytes
    const path = join(keysDir, `${K1}.pub`);
    const bytes = readFileSync(path);
    writeFileSync(`${path}.new`, bytes);
    renameSync(`${path}.new`, path);
    await find();
    expect(describeKey).toHaveBeenCalledTimes(3);
    expect(describeKey).toHaveBeenLastCalledWith(path);
  });

  it('ignores and rewrites an index that is not one', async () => {
    const { keysDir, describeKey, find } = await keyringWithTwoKeys();
    for (const junk of ['{', '[]', '{"version":1,"keys":{"X":{"file":3}}}']) {
      writeFileSync(join(keysDir, 'index.json'), junk);
      expect((await find()).map((k) => k.fingerprint)).toEqual([K1, KS]);
    }
    expect(describeKey).toHaveBeenCalledTimes(6);
    expect(
      JSON.parse(readFileSync(join(keysDir, 'index.json'), 'utf8')),
    ).toMatchObject({ version: 1, keys: { [K1]: { fingerprint: K1 } } });
  });

  it('still finds keys when the index cannot be written', async () => {
    const { keysDir, describeKey, find } = await keyringWithTwoKeys();
    mkdirSync(join(keysDir, 'index.json'));
    expect((await find()).map((k) => k.fingerprint)).toEqual([K1, KS]);
    expect((await find()).map((k) => k.fingerprint)).toEqual([K1, KS]);
    expect(describeKey).toHaveBeenCalledTimes(4);
  });

  it('drops keys that are gone from the keyring', async () => {
    const { keysDir, describeKey } = await keyringWithTwoKeys();
    await describeIndexed(keysDir, [K1, KS], describeKey);
    const onlyOne = await describeIndexed(keysDir, [KS], describeKey);
    expect(onlyOne.map((k) => k.fingerprint)).toEqual([KS]);
    const index = JSON.parse(
      readFileSync(join(keysDir, 'index.json'), 'utf8'),
    ) as { keys: Record<string, unknown> };
    expect(Object.keys(index.keys)).toEqual([KS]);
  });

  it('is what --sign-by lookups use: findSecret keeps it', async () => {
    const dir = await tempDir();
    const keyring = new Keyring(dir);
    await keyring.import(
      readFileSync(join(signatureFixtures, 'secring.gpg')),
      'secring.gpg',
    );
    const first = await keyring.findSecret('skopeo testing key');
    expect(first?.key.fingerprint).toBe(K1);
    const index = JSON.parse(
      readFileSync(join(dir, 'keys', 'index.json'), 'utf8'),
    ) as { keys: Record<string, unknown> };
    expect(Object.keys(index.keys)).toContain(K1);
    expect(await keyring.findSecret('skopeo testing key')).toEqual(first);
  });
});
