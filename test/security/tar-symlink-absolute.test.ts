import { describe, expect, it } from 'vitest';
import { openHostileArchive } from './hostile-archive.js';

describe('when a symlink in the archive points to an absolute path', () => {
  it('refuses the whole archive', async () => {
    await expect(
      openHostileArchive((entries) => [
        ...entries,
        { name: 'id/layer.tar', type: 'symlink', linkname: '/etc/shadow' },
      ]),
    ).rejects.toMatchObject({
      code: 'UNSAFE_PATH',
      message: expect.stringMatching(/points to an absolute path/),
    });
  });
});
