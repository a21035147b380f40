import { describe, expect, it } from 'vitest';
import { parseDockerArchiveReference } from '../../src/transports/docker-archive/reference.js';
import { tempDir } from '../helpers/paths.js';
import {
  validArchiveEntries,
  writeArchive,
} from '../unit/transports/tarfile/image-builder.js';

describe('when the archive holds the same name twice (a later entry would shadow a checked one)', () => {
  it('refuses the whole archive', async () => {
    const { entries } = await validArchiveEntries();
    const dir = await tempDir();
    const hostile = [...entries, { name: './manifest.json', data: '[]' }];
    const path = await writeArchive(dir, hostile);
    await expect(
      parseDockerArchiveReference(path).newImageSource({}),
    ).rejects.toMatchObject({
      code: 'UNSAFE_PATH',
      message: expect.stringMatching(/duplicate entry "manifest.json"/),
    });
  });
});
