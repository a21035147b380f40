import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PolicyContext } from '../../src/policy/context.js';
import { staticImage } from '../../src/policy/unparsed-image.js';
import { manifestFixtures, signatureFixtures as F } from '../helpers/paths.js';
import { dirRef, fixtureImage } from '../unit/policy/helpers.js';

// A valid signature copied next to a different manifest must not vouch for it.
describe('when the signature names another manifest digest', () => {
  const ctx = new PolicyContext({
    default: [
      {
        type: 'signedBy',
        keyType: 'GPGKeys',
        keyPath: join(F, 'public-key.gpg'),
        signedIdentity: { type: 'matchRepository' },
      },
    ],
    transports: new Map(),
  });

  it('dir-img-modified-manifest is rejected for the digest', async () => {
    const ev = await ctx.evaluate(
      await fixtureImage(
        join(F, 'dir-img-modified-manifest'),
        'testing/manifest:latest',
      ),
    );
    expect(ev.allowed).toBe(false);
    expect(ev.results[0]?.reason).toContain('digest mismatch');
    expect(
      await ctx.acceptedSignatures(
        await fixtureImage(
          join(F, 'dir-img-modified-manifest'),
          'testing/manifest:latest',
        ),
      ),
    ).toEqual([]);
  });

  it('a signature moved onto another manifest (with whitespace changed) is rejected', async () => {
    const sig = await readFile(join(F, 'dir-img-valid/signature-1'));
    const m = await readFile(join(F, 'image.manifest.json'));
    const img = staticImage(
      dirRef('/x', 'testing/manifest:latest'),
      { bytes: Buffer.concat([m, Buffer.from(' ')]), mediaType: '' },
      [sig],
    );
    expect((await ctx.evaluate(img)).allowed).toBe(false);
  });

  it('a schema1 manifest whose digest cannot be computed is rejected', async () => {
    const sig = await readFile(join(F, 'dir-img-valid/signature-1'));
    const bad = await readFile(
      join(manifestFixtures, 'v2s1-invalid-signatures.manifest.json'),
    );
    const img = staticImage(
      dirRef('/x', 'testing/manifest:latest'),
      { bytes: bad, mediaType: '' },
      [sig],
    );
    const ev = await ctx.evaluate(img);
    expect(ev.allowed).toBe(false);
    expect(ev.results[0]?.reason).toContain('cannot be computed');
  });
});
