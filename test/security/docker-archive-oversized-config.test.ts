import { describe, expect, it } from 'vitest';
import { parseDockerArchiveReference } from '../../src/transports/docker-archive/reference.js';
import { tempDir } from '../helpers/paths.js';
import {
  validArchiveEntries,
  writeArchive,
} from '../unit/transports/tarfile/image-builder.js';

describe('when the image config in an archive is larger than the 4 MiB cap', () => {
  it('refuses to read it into memory', async () => {
    const { entries } = await validArchiveEntries();
    const configName = entries[0]!.name;
    const huge = JSON.stringify({
      pad: 'x'.repeat(4 * 1024 * 1024),
      rootfs: { type: 'layers', diff_ids: [] },
    });
    const hostile = [{ name: configName, data: huge }, ...entries.slice(1)];
    const path = await writeArchive(await tempDir(), hostile);
    await expect(
      parseDockerArchiveReference(path).newImageSource({}),
    ).rejects.toMatchObject({
      code: 'INVALID_MANIFEST',
      message: expect.stringMatching(/over the 4194304-byte limit/),
    });
  });
});
