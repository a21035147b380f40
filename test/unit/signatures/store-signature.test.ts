import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { storeSignature } from '../../../src/signatures/image-signatures.js';
import { parseImageName } from '../../../src/transports/all.js';
import { makeDirImage } from '../../fixtures/make-images.js';
import { tempDir } from '../../helpers/paths.js';

describe('storing one more signature in a dir: image', () => {
  it('ten concurrent writers each get their own signature-N, none lost or overwritten', async () => {
    const t = await tempDir();
    const img = await makeDirImage(join(t, 'img'), {
      signatures: [Buffer.from([0xa3, 0])],
    });
    const ref = parseImageName(`dir:${t}/img`);
    const sigs = Array.from({ length: 10 }, (_, i) =>
      Buffer.from([0xa3, i + 1]),
    );
    const stored = await Promise.all(
      sigs.map((s) => storeSignature(ref, img.manifestDigest, s, {})),
    );
    const files = (await readdir(join(t, 'img')))
      .filter((n) => n.startsWith('signature-'))
      .sort((a, b) => Number(a.slice(10)) - Number(b.slice(10)));
    expect(files).toEqual(
      Array.from({ length: 11 }, (_, i) => `signature-${i + 1}`),
    );
    const contents = await Promise.all(
      files.map((f) => readFile(join(t, 'img', f))),
    );
    expect(contents[0]).toEqual(Buffer.from([0xa3, 0]));
    expect(
      contents
        .slice(1)
        .map((c) => c[1])
        .sort((a, b) => a! - b!),
    ).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    expect(new Set(stored.map((s) => s.location)).size).toBe(10);
  });

  it('the same bytes twice are stored once; a stale digest is refused', async () => {
    const t = await tempDir();
    const img = await makeDirImage(join(t, 'img'));
    const ref = parseImageName(`dir:${t}/img`);
    const sig = Buffer.from([0xa3, 9]);
    const first = await storeSignature(ref, img.manifestDigest, sig, {});
    expect(first.location).toBe(join(t, 'img', 'signature-1'));
    const again = await storeSignature(ref, img.manifestDigest, sig, {});
    expect(again.location).toBeUndefined();
    await expect(
      storeSignature(ref, `sha256:${'4'.repeat(64)}`, sig, {}),
    ).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
  });
});
