import { describe, expect, it } from 'vitest';
import { openHostileArchive } from './hostile-archive.js';

describe('when the archive holds the same name twice (a later entry would shadow a checked one)', () => {
  it('refuses the whole archive', async () => {
    await expect(
      openHostileArchive((entries) => [
        ...entries,
        { name: './manifest.json', data: '[]' },
      ]),
    ).rejects.toMatchObject({
      code: 'UNSAFE_PATH',
      message: expect.stringMatching(/duplicate entry "manifest.json"/),
    });
  });
});
