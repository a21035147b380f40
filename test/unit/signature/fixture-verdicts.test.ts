import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newPGPVerifier } from '../../../src/signature/pgp/verifier.js';
import { verifyDockerManifestSignature } from '../../../src/signature/simple.js';
import { signatureFixtures } from '../../helpers/paths.js';

/**
 * The simple-signing `dir-img-*` fixtures, checked signature by signature
 * with standalone-verify semantics (the policy layer builds on this); the
 * expected verdicts are those of the fixtures README.
 */
const fx = (name: string): Buffer =>
  readFileSync(join(signatureFixtures, name));
const K1 = '08CD26E446E2E95249B7A405E932F44B23E8DD43';
const KS = 'B9F4CDB9FD8C475BFA340AC38D54A947EE396F36';
const D =
  'sha256:20bf21ed457b390829cdbeec8795a7bea1626991fda603e0d01b4e7f60427e55';

async function check(
  dir: string,
  sig: string,
  ref: string,
  keys: string[],
  accepted: string[],
): Promise<unknown> {
  const verifier = await newPGPVerifier(keys.map(fx));
  return verifyDockerManifestSignature(
    fx(`${dir}/${sig}`),
    fx(`${dir}/manifest.json`),
    ref,
    verifier,
    accepted,
  );
}

describe('dir-img fixtures', () => {
  it.each([
    ['dir-img-valid', 'signature-1', 1464398954],
    ['dir-img-valid-2', 'signature-1', 1464398954],
    ['dir-img-valid-2', 'signature-2', 1464640051],
    ['dir-img-mixed', 'signature-2', undefined],
  ])(
    '%s/%s is accepted for testing/manifest:latest',
    async (dir, sig, timestamp) => {
      const result = await check(
        dir,
        sig,
        'testing/manifest:latest',
        ['public-key.gpg'],
        [K1],
      );
      expect(result).toMatchObject({
        dockerManifestDigest: D,
        dockerReference: 'testing/manifest:latest',
        keyIdentity: K1,
        creator: 'atomic 0.1.13-dev',
      });
      if (timestamp !== undefined) expect(result).toMatchObject({ timestamp });
    },
  );

  it.each([
    ['dir-img-valid', 'signature-1'],
    ['dir-img-valid-2', 'signature-1'],
    ['dir-img-valid-2', 'signature-2'],
  ])('%s/%s is rejected for testing/manifest:notlatest', async (dir, sig) => {
    await expect(
      check(dir, sig, 'testing/manifest:notlatest', ['public-key.gpg'], [K1]),
    ).rejects.toThrow(/not "testing\/manifest:notlatest"/);
  });

  it('dir-img-mixed/signature-1 (invalid-blob) is rejected', async () => {
    await expect(
      check(
        'dir-img-mixed',
        'signature-1',
        'testing/manifest:latest',
        ['public-key.gpg'],
        [K1],
      ),
    ).rejects.toThrow(/not valid JSON/);
  });

  it('dir-img-modified-manifest is rejected for its digest', async () => {
    await expect(
      check(
        'dir-img-modified-manifest',
        'signature-1',
        'testing/manifest:latest',
        ['public-key.gpg'],
        [K1],
      ),
    ).rejects.toThrow(/sha256:2edc21ff/);
  });

  it('dir-img-manifest-digest-error is rejected: no digest can be computed', async () => {
    await expect(
      check(
        'dir-img-manifest-digest-error',
        'signature-1',
        'testing/manifest:latest',
        ['public-key.gpg'],
        [K1],
      ),
    ).rejects.toThrow(/cannot be computed/);
  });

  it('dir-img-valid-subkey is accepted with the subkey keyring, as the primary key', async () => {
    await expect(
      check(
        'dir-img-valid-subkey',
        'signature-1',
        'testing/manifest:latest',
        ['public-key-with-subkey.gpg'],
        [KS],
      ),
    ).resolves.toMatchObject({ keyIdentity: KS });
  });

  it.each([
    [['public-key-1.gpg', 'public-key-1.gpg']],
    [['public-key-2.gpg', 'public-key-1.gpg']],
    [['public-key.gpg']],
  ])('dir-img-valid is accepted with keyrings %j', async (keys) => {
    const verifier = await newPGPVerifier(keys.map(fx));
    await expect(
      verifyDockerManifestSignature(
        fx('dir-img-valid/signature-1'),
        fx('dir-img-valid/manifest.json'),
        'testing/manifest:latest',
        verifier,
        verifier.trustedFingerprints(),
      ),
    ).resolves.toMatchObject({ keyIdentity: K1 });
  });

  it('dir-img-valid is rejected with an empty keyring', async () => {
    await expect(
      check('dir-img-valid', 'signature-1', 'testing/manifest:latest', [], []),
    ).rejects.toThrow('No public keys imported');
  });
});
