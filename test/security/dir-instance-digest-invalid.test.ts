import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyImage } from '../../src/copy/copy.js';
import { parseImageName } from '../../src/transports/all.js';
import { makeDirList } from '../fixtures/make-images.js';
import { tempDir } from '../helpers/paths.js';

describe('a manifest list naming an instance digest that is not a valid digest', () => {
  for (const digest of [
    'sha256:../../../etc/passwd',
    `sha256:${'A'.repeat(64)}`,
    `sha512:${'a'.repeat(64)}`,
  ]) {
    it(`is rejected before any path is built from ${digest}`, async () => {
      const t = await tempDir();
      await makeDirList(join(t, 's'), [{ os: 'linux', architecture: 'amd64' }]);
      const list = {
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            digest,
            size: 10,
            platform: { os: 'linux', architecture: 'amd64' },
          },
        ],
      };
      await writeFile(join(t, 's/manifest.json'), JSON.stringify(list));
      const err = await copyImage({
        source: parseImageName(`dir:${t}/s`),
        destination: parseImageName(`dir:${t}/d`),
        sys: {},
        all: true,
      }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'INVALID_MANIFEST' });
      expect(await readdir(t)).toEqual(['s']);
    });
  }

  it('is refused by the dir: source itself', async () => {
    const t = await tempDir();
    await makeDirList(t, [{ os: 'linux', architecture: 'amd64' }]);
    const src = await parseImageName(`dir:${t}`).newImageSource({});
    await expect(src.getManifest('sha256:../../x')).rejects.toThrow(
      /not a valid digest/,
    );
    await expect(src.getSignatures('sha256:../../x')).rejects.toThrow(
      /not a valid digest/,
    );
  });
});
