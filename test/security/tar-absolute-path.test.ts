import { describe, expect, it } from 'vitest';
import { openHostileArchive } from './hostile-archive.js';

describe('when an archive entry has an absolute name', () => {
  it('refuses the whole archive', async () => {
    await expect(
      openHostileArchive((entries) => [
        { name: '/etc/cron.d/evil', data: 'x' },
        ...entries,
      ]),
    ).rejects.toMatchObject({
      code: 'UNSAFE_PATH',
      message: expect.stringMatching(/absolute path/),
    });
  });
});
