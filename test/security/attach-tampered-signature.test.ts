import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateKeyMaterial } from '../../src/signature/pgp/keys.js';
import { newPGPSigner } from '../../src/signature/pgp/signer.js';
import { signDockerManifest } from '../../src/signature/simple.js';
import { attachSignature } from '../../src/signatures/attach.js';
import { parseImageName } from '../../src/transports/all.js';
import { makeDirImage } from '../fixtures/make-images.js';
import { tempDir } from '../helpers/paths.js';

describe('when an attached signature was altered after signing and its key is known', () => {
  it('refuses it: the untrusted claims match, but the signature does not verify', async () => {
    const t = await tempDir();
    const img = await makeDirImage(join(t, 'img'));
    const key = await generateKeyMaterial({
      name: 'S',
      email: 's@example.com',
      type: 'ed25519',
    });
    const signer = await newPGPSigner(key.secretKey!, undefined);
    const sig = await signDockerManifest(
      img.manifest,
      'registry.example.com/app:1',
      signer,
      { timestamp: 1700000000 },
    );
    // Change the claimed identity inside the literal data (same length).
    const at = sig.indexOf('registry.example.com/app:1');
    expect(at).toBeGreaterThan(0);
    const tampered = Buffer.from(sig);
    tampered.write('registry.example.com/app:2', at, 'latin1');
    const keys = [{ ...key, source: 'test' }];
    await expect(
      attachSignature(parseImageName(`dir:${t}/img`), tampered, keys, {}),
    ).rejects.toMatchObject({
      code: 'INVALID_SIGNATURE',
      message: expect.stringMatching(/does not verify/),
    });
    expect(existsSync(join(t, 'img', 'signature-1'))).toBe(false);
    // The untouched one is accepted and stored.
    const ok = await attachSignature(
      parseImageName(`dir:${t}/img`),
      sig,
      keys,
      {},
    );
    expect(ok.signature.verified).toBe(true);
    expect(ok.location).toBe(join(t, 'img', 'signature-1'));
  });
});
