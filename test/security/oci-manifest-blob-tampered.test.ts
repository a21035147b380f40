import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyImage } from '../../src/copy/copy.js';
import { parseImageName } from '../../src/transports/all.js';
import { makeDirImage } from '../fixtures/make-images.js';
import { tempDir } from '../helpers/paths.js';

describe('an OCI layout whose manifest blob does not match its digest', () => {
  it('is refused instead of being copied', async () => {
    const t = await tempDir();
    const img = await makeDirImage(join(t, 's'), { format: 'oci' });
    await copyImage({
      source: parseImageName(`dir:${t}/s`),
      destination: parseImageName(`oci:${t}/l:x`),
      sys: {},
    });
    const blob = join(t, 'l/blobs/sha256', img.manifestDigest.slice(7));
    const bytes = await readFile(blob);
    await writeFile(blob, Buffer.concat([bytes, Buffer.from(' ')]));
    const err = await copyImage({
      source: parseImageName(`oci:${t}/l:x`),
      destination: parseImageName(`dir:${t}/d`),
      sys: {},
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'DIGEST_MISMATCH' });
  });
});
