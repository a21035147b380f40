import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addSigner } from '../../src/notary/publish/docker-signers.js';
import { tufKeyFromPublicKey } from '../../src/notary/tuf/keys.js';
import { generateKeyPairSync } from 'node:crypto';
import { GUN, testRepo, type TestRepo } from '../unit/notary/publish/setup.js';

// The server refuses the very first publish of a repository: nothing of the
// new repository may be left behind locally — no cached root (which would
// pin a root the server never accepted) and no targets key for it. The root
// key stays: docker keeps it too, and the next initialization reuses it.
let t: TestRepo;
beforeEach(async () => {
  t = await testRepo();
});
afterEach(async () => {
  await t.cleanup();
});

async function keyRoles(): Promise<string[]> {
  const dir = join(t.trustDir, 'private');
  const out: string[] = [];
  for (const n of await readdir(dir)) {
    const m = /^role: (.+)$/m.exec(await readFile(join(dir, n), 'utf8'));
    out.push(m?.[1] ?? '?');
  }
  return out.sort();
}

describe('when the server refuses the initial publish', () => {
  it('leaves no cache and no targets key; a retry reuses the root key and succeeds', async () => {
    t.server.rejectNext = { code: 'INVALID_UPDATE', detail: 'root: bad' };
    const key = tufKeyFromPublicKey(
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
    );
    const add = () =>
      addSigner(t.ctx, {
        signer: 'bob',
        keys: [key],
        repository: GUN,
        out: () => {},
      });
    await expect(add()).rejects.toThrow(/refused the update of .* as invalid/);
    expect(t.cache.files.size).toBe(0);
    expect(await keyRoles()).toEqual(['root']);
    const root = await readdir(join(t.trustDir, 'private'));
    await add();
    expect(await keyRoles()).toEqual(['root', 'targets']);
    expect(
      (await readdir(join(t.trustDir, 'private'))).filter((n) =>
        root.includes(n),
      ),
    ).toEqual(root);
  });
});
