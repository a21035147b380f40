import { describe, expect, it } from 'vitest';
import { parseDockerArchiveReference } from '../../src/transports/docker-archive/reference.js';
import { tempDir } from '../helpers/paths.js';
import {
  validArchiveEntries,
  writeArchive,
} from '../unit/transports/tarfile/image-builder.js';

describe('when a symlink in the archive points outside it', () => {
  it('refuses the whole archive', async () => {
    const { entries } = await validArchiveEntries();
    const dir = await tempDir();
    const hostile = [
      ...entries,
      {
        name: 'id/layer.tar',
        type: 'symlink' as const,
        linkname: '../../../etc/shadow',
      },
    ];
    const path = await writeArchive(dir, hostile);
    await expect(
      parseDockerArchiveReference(path).newImageSource({}),
    ).rejects.toMatchObject({
      code: 'UNSAFE_PATH',
      message: expect.stringMatching(/escapes the archive/),
    });
  });
});
