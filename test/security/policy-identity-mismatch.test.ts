import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PolicyContext } from '../../src/policy/context.js';
import type { SignedIdentity } from '../../src/policy/types.js';
import { signatureFixtures as F } from '../helpers/paths.js';
import { fixtureImage } from '../unit/policy/helpers.js';

// dir-img-valid carries a valid signature for "testing/manifest:latest".
// Presented as another image, it must not be accepted.
async function allowed(
  identity: SignedIdentity,
  imageRef: string | undefined,
): Promise<boolean> {
  const ctx = new PolicyContext({
    default: [
      {
        type: 'signedBy',
        keyType: 'GPGKeys',
        keyPath: join(F, 'public-key.gpg'),
        signedIdentity: identity,
      },
    ],
    transports: new Map(),
  });
  return (
    await ctx.evaluate(await fixtureImage(join(F, 'dir-img-valid'), imageRef))
  ).allowed;
}

describe('when a valid signature names another repository or tag', () => {
  it.each([
    [{ type: 'matchExact' }, 'testing/manifest:other'],
    [{ type: 'matchExact' }, 'evil/manifest:latest'],
    [{ type: 'matchRepoDigestOrExact' }, 'testing/manifest:other'],
    [{ type: 'matchRepoDigestOrExact' }, 'example.com/testing/manifest:latest'],
    [{ type: 'matchRepository' }, 'testing/manifest2:latest'],
    [
      { type: 'exactReference', dockerReference: 'testing/manifest:other' },
      'testing/manifest:latest',
    ],
    [
      { type: 'exactRepository', dockerRepository: 'testing/other' },
      'testing/manifest:latest',
    ],
    [
      {
        type: 'remapIdentity',
        prefix: 'mirror.example.com',
        signedPrefix: 'other.example.com',
      },
      'mirror.example.com/testing/manifest:latest',
    ],
    [
      {
        type: 'remapIdentity',
        prefix: 'mirror.example.com',
        signedPrefix: 'docker.io',
      },
      'docker.io/testing/manifest:other',
    ],
    [{ type: 'matchExact' }, undefined],
    [{ type: 'matchRepository' }, undefined],
  ] as [SignedIdentity, string | undefined][])(
    '%j for image %s is rejected',
    async (identity, ref) => {
      expect(await allowed(identity, ref)).toBe(false);
    },
  );

  it('the same signature is accepted for its own identity (control)', async () => {
    expect(
      await allowed({ type: 'matchExact' }, 'testing/manifest:latest'),
    ).toBe(true);
    expect(
      await allowed({ type: 'matchRepository' }, 'testing/manifest:v9'),
    ).toBe(true);
    expect(
      await allowed(
        {
          type: 'remapIdentity',
          prefix: 'mirror.example.com',
          signedPrefix: 'docker.io',
        },
        'mirror.example.com/testing/manifest:latest',
      ),
    ).toBe(true);
  });
});
