import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PolicyContext } from '../../src/policy/context.js';
import { signatureFixtures as F, tempDir } from '../helpers/paths.js';
import { fixtureImage } from '../unit/policy/helpers.js';
import { writeFile } from 'node:fs/promises';

// A key file that cannot be used must make signedBy reject, never accept.
describe('when a signedBy key file cannot be used', () => {
  const evaluate = async (keys: { keyPath?: string; keyPaths?: string[] }) => {
    const ctx = new PolicyContext({
      default: [
        {
          type: 'signedBy',
          keyType: 'GPGKeys',
          ...keys,
          signedIdentity: { type: 'matchRepository' },
        },
      ],
      transports: new Map(),
    });
    return ctx.evaluate(
      await fixtureImage(join(F, 'dir-img-valid'), 'testing/manifest:latest'),
    );
  };

  it('a missing file rejects', async () => {
    const ev = await evaluate({ keyPath: '/nonexistent/key.gpg' });
    expect(ev.allowed).toBe(false);
    expect(ev.results[0]?.reason).toContain(
      'cannot read key file /nonexistent/key.gpg: no such file',
    );
  });

  it('one missing file among keyPaths rejects even though another key would verify', async () => {
    const ev = await evaluate({
      keyPaths: [join(F, 'public-key.gpg'), '/nonexistent/key.gpg'],
    });
    expect(ev.allowed).toBe(false);
  });

  it('a file that is not a keyring rejects', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'k.gpg'), 'not a key');
    const ev = await evaluate({ keyPath: join(dir, 'k.gpg') });
    expect(ev.allowed).toBe(false);
    expect(ev.results[0]?.reason).toContain('invalid OpenPGP keyring');
  });

  it('an empty file rejects: No public keys imported', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'k.gpg'), '');
    const ev = await evaluate({ keyPath: join(dir, 'k.gpg') });
    expect(ev.allowed).toBe(false);
    expect(ev.results[0]?.reason).toContain('No public keys imported');
  });
});
