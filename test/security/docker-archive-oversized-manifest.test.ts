import { describe, expect, it } from 'vitest';
import { openHostileArchive } from './hostile-archive.js';

describe('when manifest.json is larger than the 1 MiB cap', () => {
  it('refuses the whole archive', async () => {
    await expect(
      openHostileArchive((entries) => [
        ...entries.filter((e) => e.name !== 'manifest.json'),
        { name: 'manifest.json', data: '[' + ' '.repeat(1024 * 1024) + ']' },
      ]),
    ).rejects.toMatchObject({
      code: 'INVALID_MANIFEST',
      message: expect.stringMatching(
        /manifest.json" is 1048578 bytes, over the 1048576-byte limit/,
      ),
    });
  });
});
