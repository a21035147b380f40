import { describe, expect, it } from 'vitest';
import { openHostileArchive } from './hostile-archive.js';

describe('when an archive entry name climbs out with ..', () => {
  it('refuses the whole archive', async () => {
    await expect(
      openHostileArchive((entries) => [
        ...entries,
        { name: '../../tmp/evil', data: 'x' },
      ]),
    ).rejects.toMatchObject({
      code: 'UNSAFE_PATH',
      message: expect.stringMatching(/contains "\.\."/),
    });
  });
});
