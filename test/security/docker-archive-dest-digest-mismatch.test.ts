import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseDockerArchiveReference } from '../../src/transports/docker-archive/reference.js';
import { tempDir } from '../helpers/paths.js';
import { makeImage } from '../unit/transports/tarfile/image-builder.js';

describe('when a blob written to a docker-archive does not match its digest', () => {
  it.each([
    ['a plain layer streamed straight into the tar', false, 'known'],
    ['a gzip layer that is spooled and decompressed', true, 'known'],
    ['a layer of unknown size', false, 'unknown'],
  ])('rejects %s and commits nothing', async (_, gzip, sizeKnown) => {
    const dir = await tempDir();
    const image = await makeImage([{ f: 'honest' }], { gzip });
    const evil = await makeImage([{ f: 'swapped' }], { gzip });
    const dest = await parseDockerArchiveReference(
      join(dir, 'out.tar'),
    ).newImageDestination({});
    await dest.putBlob(
      Readable.from([image.config.bytes]),
      { digest: image.config.digest, size: image.config.bytes.length },
      { isConfig: true },
    );
    const layer = image.layers[0]!;
    const swapped = evil.layers[0]!.bytes;
    await expect(
      dest.putBlob(Readable.from([swapped]), {
        digest: layer.digest,
        size: sizeKnown === 'known' ? swapped.length : -1,
      }),
    ).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    await expect(
      dest.putManifest({
        bytes: image.manifest,
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      }),
    ).rejects.toThrow(/nothing committed/);
    await expect(dest.commit()).rejects.toThrow(/nothing committed/);
    await dest.close();
    expect(await readdir(dir)).toEqual([]);
  });
});
