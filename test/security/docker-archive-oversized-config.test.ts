import { describe, expect, it } from 'vitest';
import { openHostileArchive } from './hostile-archive.js';

describe('when the image config in an archive is larger than the 4 MiB cap', () => {
  it('refuses to read it into memory', async () => {
    const huge = JSON.stringify({
      pad: 'x'.repeat(4 * 1024 * 1024),
      rootfs: { type: 'layers', diff_ids: [] },
    });
    await expect(
      openHostileArchive((entries) => [
        { name: entries[0]!.name, data: huge },
        ...entries.slice(1),
      ]),
    ).rejects.toMatchObject({
      code: 'INVALID_MANIFEST',
      message: expect.stringMatching(/over the 4194304-byte limit/),
    });
  });
});
