import { describe, expect, it } from 'vitest';
import { parseDockerArchiveReference } from '../../src/transports/docker-archive/reference.js';
import { tempDir } from '../helpers/paths.js';
import {
  validArchiveEntries,
  writeArchive,
} from '../unit/transports/tarfile/image-builder.js';

describe('when an archive entry has an absolute name', () => {
  it('refuses the whole archive', async () => {
    const { entries } = await validArchiveEntries();
    const dir = await tempDir();
    const hostile = [{ name: '/etc/cron.d/evil', data: 'x' }, ...entries];
    const path = await writeArchive(dir, hostile);
    await expect(
      parseDockerArchiveReference(path).newImageSource({}),
    ).rejects.toMatchObject({
      code: 'UNSAFE_PATH',
      message: expect.stringMatching(/absolute path/),
    });
  });
});
