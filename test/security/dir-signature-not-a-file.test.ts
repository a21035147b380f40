import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyImage } from '../../src/copy/copy.js';
import { parseImageName } from '../../src/transports/all.js';
import { makeDirImage } from '../fixtures/make-images.js';
import { tempDir } from '../helpers/paths.js';

describe('a dir: signature path that is not a readable file', () => {
  it('is an error, not "no more signatures", when signature-N is a directory', async () => {
    const t = await tempDir();
    await makeDirImage(t, { signatures: [Buffer.from('one')] });
    await mkdir(join(t, 'signature-2'));
    const src = await parseImageName(`dir:${t}`).newImageSource({});
    await expect(src.getSignatures()).rejects.toThrow(/signature-2/);
  });

  it('is an error when signature-N is a symlink loop', async () => {
    const t = await tempDir();
    await makeDirImage(t);
    await symlink('signature-1', join(t, 'signature-1'));
    const src = await parseImageName(`dir:${t}`).newImageSource({});
    await expect(src.getSignatures()).rejects.toThrow(/ELOOP/);
  });

  it('makes a copy fail instead of silently dropping signatures', async () => {
    const t = await tempDir();
    await makeDirImage(join(t, 's'), { signatures: [Buffer.from('one')] });
    await mkdir(join(t, 's', 'signature-2'));
    await expect(
      copyImage({
        source: parseImageName(`dir:${t}/s`),
        destination: parseImageName(`dir:${t}/d`),
        sys: {},
      }),
    ).rejects.toThrow(/signature-2/);
  });
});
