import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newPGPVerifier } from '../../../src/signature/pgp/verifier.js';
import {
  signDockerManifest,
  verifyAndExtractSignature,
  verifyDockerManifestSignature,
} from '../../../src/signature/simple.js';
import { parseClaims } from '../../../src/signature/payload.js';
import type { SigningMechanism } from '../../../src/signature/mechanism.js';
import { manifestFixtures, signatureFixtures } from '../../helpers/paths.js';

const fx = (name: string): Buffer =>
  readFileSync(join(signatureFixtures, name));
const K1 = '08CD26E446E2E95249B7A405E932F44B23E8DD43';
const KS = 'B9F4CDB9FD8C475BFA340AC38D54A947EE396F36';
const M = fx('image.manifest.json');
const D =
  'sha256:20bf21ed457b390829cdbeec8795a7bea1626991fda603e0d01b4e7f60427e55';

describe('verifyDockerManifestSignature (standalone-verify semantics)', async () => {
  const v = await newPGPVerifier([
    fx('public-key.gpg'),
    fx('public-key-with-subkey.gpg'),
  ]);

  it('accepts image.signature for M and testing/manifest', async () => {
    const sig = await verifyDockerManifestSignature(
      fx('image.signature'),
      M,
      'testing/manifest',
      v,
      [K1],
    );
    expect(sig).toEqual({
      dockerManifestDigest: D,
      dockerReference: 'testing/manifest',
      keyIdentity: K1,
      creator: 'atomic ',
      timestamp: 1458239713,
    });
  });

  it('normalises the expected reference', async () => {
    const sig = await verifyDockerManifestSignature(
      fx('image.signature'),
      M,
      'docker.io/testing/manifest',
      v,
      [K1],
    );
    expect(sig.keyIdentity).toBe(K1);
  });

  it('accepts no-optional-fields.signature without creator or timestamp', async () => {
    const sig = await verifyDockerManifestSignature(
      fx('no-optional-fields.signature'),
      M,
      'testing/manifest',
      v,
      [K1],
    );
    expect(sig.creator).toBeUndefined();
    expect(sig.timestamp).toBeUndefined();
  });

  it('attributes a subkey signature to the primary key', async () => {
    const sig = await verifyDockerManifestSignature(
      fx('subkey.signature-v3'),
      M,
      'testing/manifest:latest',
      v,
      [KS],
    );
    expect(sig.keyIdentity).toBe(KS);
  });

  it('rejects another identity', async () => {
    await expect(
      verifyDockerManifestSignature(
        fx('image.signature'),
        M,
        'example.com/does-not/match',
        v,
        [K1],
      ),
    ).rejects.toThrow(
      /docker reference "testing\/manifest", not "example.com\/does-not\/match"/,
    );
  });

  it('does not add a default tag', async () => {
    await expect(
      verifyDockerManifestSignature(
        fx('image.signature'),
        M,
        'testing/manifest:latest',
        v,
        [K1],
      ),
    ).rejects.toThrow(/not "testing\/manifest:latest"/);
  });

  it('rejects an invalid expected reference before verifying', async () => {
    await expect(
      verifyDockerManifestSignature(
        fx('image.signature'),
        M,
        'UPPERCASEISINVALID',
        v,
        [K1],
      ),
    ).rejects.toThrow(expect.objectContaining({ code: 'INVALID_REFERENCE' }));
  });

  it('rejects a fingerprint list without the signer', async () => {
    await expect(
      verifyDockerManifestSignature(
        fx('image.signature'),
        M,
        'testing/manifest',
        v,
        [KS],
      ),
    ).rejects.toThrow(/not by an accepted key/);
  });

  it('rejects another manifest', async () => {
    const other = readFileSync(join(manifestFixtures, 'v2s1.manifest.json'));
    await expect(
      verifyDockerManifestSignature(
        fx('image.signature'),
        other,
        'testing/manifest',
        v,
        [K1],
      ),
    ).rejects.toThrow(
      /signature is for manifest digest sha256:20bf.*not for this manifest/,
    );
  });

  it('rejects a manifest whose digest cannot be computed', async () => {
    const bad = readFileSync(
      join(manifestFixtures, 'v2s1-invalid-signatures.manifest.json'),
    );
    await expect(
      verifyDockerManifestSignature(
        fx('image.signature'),
        bad,
        'testing/manifest',
        v,
        [K1],
      ),
    ).rejects.toThrow(/cannot be computed/);
  });

  it('rejects invalid-blob.signature as not JSON', async () => {
    await expect(
      verifyDockerManifestSignature(
        fx('invalid-blob.signature-v3'),
        M,
        'testing/manifest',
        v,
        [K1],
      ),
    ).rejects.toThrow(/not valid JSON/);
  });

  it('rejects an invalid reference in the claims after the digest check', async () => {
    await expect(
      verifyDockerManifestSignature(
        fx('invalid-reference.signature'),
        M,
        'testing/manifest',
        v,
        [K1],
      ),
    ).rejects.toThrow(/claims an invalid docker reference/);
  });
});

describe('verifyAndExtractSignature', () => {
  it('runs the steps in order and stops at the first failure', async () => {
    const calls: string[] = [];
    const mechanism = {
      verify: () =>
        Promise.resolve({ contents: Buffer.from('{}'), keyIdentity: K1 }),
      trustedFingerprints: () => [K1],
    };
    await expect(
      verifyAndExtractSignature(Buffer.from('x'), {
        mechanism,
        validateSignedDockerManifestDigest: () => calls.push('digest'),
        validateSignedDockerReference: () => calls.push('ref'),
      }),
    ).rejects.toThrow(/field critical is missing/);
    expect(calls).toEqual([]);
  });
});

describe('signDockerManifest', () => {
  const capture: SigningMechanism & { payload?: Buffer } = {
    sign(payload) {
      capture.payload = payload;
      return Promise.resolve(Buffer.from('signed'));
    },
  };
  it('signs the manifest digest and the fully expanded identity', async () => {
    const out = await signDockerManifest(M, 'busybox:1', capture, {
      timestamp: 7,
    });
    expect(out.toString()).toBe('signed');
    const claims = parseClaims(capture.payload!);
    expect(claims).toMatchObject({
      dockerManifestDigest: D,
      dockerReference: 'docker.io/library/busybox:1',
      timestamp: 7,
    });
    expect(claims.creator).toMatch(/^imgsign \d+\.\d+\.\d+/);
  });
  it('refuses an identity without tag or digest', async () => {
    await expect(signDockerManifest(M, 'busybox', capture)).rejects.toThrow(
      /fully specified/,
    );
  });
  it('refuses a manifest whose digest cannot be computed', async () => {
    const bad = readFileSync(
      join(manifestFixtures, 'v2s1-invalid-signatures.manifest.json'),
    );
    await expect(signDockerManifest(bad, 'busybox:1', capture)).rejects.toThrow(
      expect.objectContaining({ code: 'INVALID_MANIFEST' }),
    );
  });
});
