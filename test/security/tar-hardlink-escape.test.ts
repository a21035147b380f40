import { describe, expect, it } from 'vitest';
import { parseDockerArchiveReference } from '../../src/transports/docker-archive/reference.js';
import { tempDir } from '../helpers/paths.js';
import {
  validArchiveEntries,
  writeArchive,
} from '../unit/transports/tarfile/image-builder.js';

describe('when a hard link in the archive names a path outside it', () => {
  it('refuses the whole archive', async () => {
    const { entries } = await validArchiveEntries();
    const dir = await tempDir();
    const hostile = [
      ...entries,
      { name: 'stolen', type: 'link' as const, linkname: '../etc/passwd' },
    ];
    const path = await writeArchive(dir, hostile);
    await expect(
      parseDockerArchiveReference(path).newImageSource({}),
    ).rejects.toMatchObject({
      code: 'UNSAFE_PATH',
      message: expect.stringMatching(
        /hard link "stolen" -> "\.\.\/etc\/passwd" escapes/,
      ),
    });
  });
});
