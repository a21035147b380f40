/**
 * SPEC §7.9 / §8: GUN and role names become paths under
 * `<trustDir>/tuf/`; names that could leave that directory (`..`,
 * absolute, empty components, backslashes) are refused before any file
 * is read or written.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ImgsignError } from '../../src/errors.js';
import { FileTrustCache } from '../../src/notary/trust-cache.js';
import { tempDir } from '../helpers/paths.js';

async function unsafe(run: () => Promise<unknown>): Promise<ImgsignError> {
  const err = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ImgsignError);
  expect((err as ImgsignError).code).toBe('UNSAFE_PATH');
  return err as ImgsignError;
}

describe('when a GUN or role name would escape the trust cache', () => {
  it.each([
    ['example.com/../../../escaped', 'root'],
    ['/tmp/escaped', 'root'],
    ['example.com//x', 'root'],
    ['example.com\\..\\x', 'root'],
    ['example.com/ok', '../../../../escaped'],
    ['example.com/ok', 'targets/../../../escaped'],
    ['example.com/ok', '/escaped'],
    ['example.com/ok', 'targets/x/../../root'],
  ])('refuses %j role %j for writing and reading', async (gun, role) => {
    const base = await tempDir();
    const trustDir = join(base, 'trust');
    const cache = new FileTrustCache(trustDir);
    const err = await unsafe(() => cache.set(gun, role, Buffer.from('{}')));
    expect(err.message).toMatch(/not a (valid repository name|TUF role name)/);
    await unsafe(() => cache.get(gun, role));
    expect(await readdir(base)).toEqual([]);
  });

  it('refuses to remove() a GUN outside the cache', async () => {
    const base = await tempDir();
    const cache = new FileTrustCache(join(base, 'trust'));
    await unsafe(() => cache.remove('..'));
    await unsafe(() => cache.remove('a/../..'));
  });
});
