import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateKeyMaterial } from '../../src/signature/pgp/keys.js';
import { newPGPSigner } from '../../src/signature/pgp/signer.js';
import { signDockerManifest } from '../../src/signature/simple.js';
import { attachSignature } from '../../src/signatures/attach.js';
import { parseImageName } from '../../src/transports/all.js';
import { makeDirImage } from '../fixtures/make-images.js';
import { tempDir } from '../helpers/paths.js';

describe('when signatures attach is given a valid signature for another image', () => {
  it('refuses it (with or without the key known) and stores nothing', async () => {
    const t = await tempDir();
    await makeDirImage(join(t, 'target'));
    const other = await makeDirImage(join(t, 'other'), { layerSize: 77 });
    const key = await generateKeyMaterial({
      name: 'S',
      email: 's@example.com',
      type: 'ed25519',
    });
    const signer = await newPGPSigner(key.secretKey!, undefined);
    const sig = await signDockerManifest(
      other.manifest,
      'registry.example.com/app:1',
      signer,
    );
    const target = parseImageName(`dir:${t}/target`);
    for (const keys of [[], [{ ...key, source: 'test', keyIds: key.keyIds }]]) {
      await expect(
        attachSignature(target, sig, keys, {}),
      ).rejects.toMatchObject({
        code: 'INVALID_SIGNATURE',
        message: expect.stringContaining(
          `the signature is for manifest digest ${other.manifestDigest}`,
        ),
      });
    }
    expect(
      (await readdir(join(t, 'target'))).filter((n) => n.includes('signature')),
    ).toEqual([]);
  });
});
