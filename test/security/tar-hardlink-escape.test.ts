import { describe, expect, it } from 'vitest';
import { openHostileArchive } from './hostile-archive.js';

describe('when a hard link in the archive names a path outside it', () => {
  it('refuses the whole archive', async () => {
    await expect(
      openHostileArchive((entries) => [
        ...entries,
        { name: 'stolen', type: 'link', linkname: '../etc/passwd' },
      ]),
    ).rejects.toMatchObject({
      code: 'UNSAFE_PATH',
      message: expect.stringMatching(
        /hard link "stolen" -> "\.\.\/etc\/passwd" escapes/,
      ),
    });
  });
});
