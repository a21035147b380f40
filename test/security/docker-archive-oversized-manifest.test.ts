import { describe, expect, it } from 'vitest';
import { parseDockerArchiveReference } from '../../src/transports/docker-archive/reference.js';
import { tempDir } from '../helpers/paths.js';
import {
  validArchiveEntries,
  writeArchive,
} from '../unit/transports/tarfile/image-builder.js';

describe('when manifest.json is larger than the 1 MiB cap', () => {
  it('refuses the whole archive', async () => {
    const { entries } = await validArchiveEntries();
    const dir = await tempDir();
    const hostile = [
      ...entries.filter((e) => e.name !== 'manifest.json'),
      { name: 'manifest.json', data: '[' + ' '.repeat(1024 * 1024) + ']' },
    ];
    const path = await writeArchive(dir, hostile);
    await expect(
      parseDockerArchiveReference(path).newImageSource({}),
    ).rejects.toMatchObject({
      code: 'INVALID_MANIFEST',
      message: expect.stringMatching(
        /manifest.json" is 1048578 bytes, over the 1048576-byte limit/,
      ),
    });
  });
});
