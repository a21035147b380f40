import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseImageName } from '../../src/transports/all.js';
import { tempDir } from '../helpers/paths.js';

describe('an OCI index.json whose descriptor digest would escape blobs/', () => {
  it('is rejected when the layout is opened', async () => {
    const t = await tempDir();
    await mkdir(join(t, 'l'));
    await writeFile(join(t, 'l/oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    await writeFile(
      join(t, 'l/index.json'),
      JSON.stringify({
        schemaVersion: 2,
        manifests: [
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            digest: 'sha256:../../../../etc/passwd',
            size: 1,
          },
        ],
      }),
    );
    const err = await parseImageName(`oci:${t}/l`)
      .newImageSource({})
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'INVALID_MANIFEST' });
  });

  it('is rejected for a destination too, before anything is copied', async () => {
    const t = await tempDir();
    await mkdir(join(t, 'l'));
    await writeFile(
      join(t, 'l/index.json'),
      JSON.stringify({
        schemaVersion: 2,
        manifests: [{ digest: 'md5:abc', size: 1 }],
      }),
    );
    await expect(
      parseImageName(`oci:${t}/l:x`).newImageDestination({}),
    ).rejects.toMatchObject({ code: 'INVALID_MANIFEST' });
  });
});
