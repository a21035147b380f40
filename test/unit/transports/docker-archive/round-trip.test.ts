import { existsSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseDockerArchiveReference } from '../../../../src/transports/docker-archive/reference.js';
import { tempDir } from '../../../helpers/paths.js';
import {
  makeImage,
  putImage,
  readImage,
  sha256,
} from '../tarfile/image-builder.js';

const sys = {};

describe('docker-archive round trip', () => {
  it('reads back the same config and the layer DiffIDs it wrote', async () => {
    const dir = await tempDir();
    const path = join(dir, 'img.tar');
    const image = await makeImage([{ 'a.txt': 'one' }, { 'b/c.txt': 'two' }]);
    const dest = await parseDockerArchiveReference(
      `${path}:example.com/ns/app:v1`,
    ).newImageDestination(sys);
    await putImage(dest, image);
    await dest.close();

    const src = await parseDockerArchiveReference(path).newImageSource(sys);
    const back = await readImage(src);
    await src.close();
    expect(back.manifest.config.digest).toBe(image.config.digest);
    expect(sha256(back.config)).toBe(image.config.digest);
    expect(back.manifest.layers.map((l) => l.digest)).toEqual(image.diffIDs);
    expect(back.layers.map((l) => l.digest)).toEqual(image.diffIDs);
    expect(back.manifest.layers.map((l) => l.mediaType)).toEqual([
      'application/vnd.docker.image.rootfs.diff.tar',
      'application/vnd.docker.image.rootfs.diff.tar',
    ]);
    // Only the archive itself is left behind: no temp or spool files.
    expect(await readdir(dir)).toEqual(['img.tar']);
  });

  it('stores gzip layers decompressed and serves them by DiffID', async () => {
    const dir = await tempDir();
    const path = join(dir, 'gz.tar');
    const image = await makeImage([{ 'x.txt': 'compressed' }], { gzip: true });
    expect(image.layers[0]?.digest).not.toBe(image.diffIDs[0]);
    const dest = await parseDockerArchiveReference(
      `${path}:busybox`,
    ).newImageDestination(sys);
    await putImage(dest, image);
    await dest.close();

    const ref = parseDockerArchiveReference(
      `${path}:docker.io/library/busybox:latest`,
    );
    const src = await ref.newImageSource(sys);
    const back = await readImage(src);
    await src.close();
    expect(back.layers.map((l) => l.digest)).toEqual(image.diffIDs);
  });

  it('selects images by tag or @index and reports a missing tag', async () => {
    const dir = await tempDir();
    const path = join(dir, 'one.tar');
    const image = await makeImage([{ f: '1' }]);
    const dest = await parseDockerArchiveReference(
      `${path}:example.com/a:1`,
    ).newImageDestination(sys);
    await putImage(dest, image);
    await dest.close();
    for (const r of [`${path}:@0`, `${path}:example.com/a:1`]) {
      const src = await parseDockerArchiveReference(r).newImageSource(sys);
      expect((await readImage(src)).manifest.config.digest).toBe(
        image.config.digest,
      );
      await src.close();
    }
    await expect(
      parseDockerArchiveReference(`${path}:example.com/a:2`).newImageSource(
        sys,
      ),
    ).rejects.toThrow(/no image tagged example.com\/a:2/);
    await expect(
      parseDockerArchiveReference(`${path}:@1`).newImageSource(sys),
    ).rejects.toThrow(/no image @1/);
  });

  it('commits nothing when a layer does not match its digest', async () => {
    const dir = await tempDir();
    const path = join(dir, 'bad.tar');
    const image = await makeImage([{ f: 'good' }]);
    const dest =
      await parseDockerArchiveReference(path).newImageDestination(sys);
    await dest.putBlob(
      Readable.from([image.config.bytes]),
      { digest: image.config.digest, size: image.config.bytes.length },
      { isConfig: true },
    );
    const layer = image.layers[0]!;
    const tampered = Buffer.from(layer.bytes);
    tampered[600] = (tampered[600] ?? 0) ^ 1;
    await expect(
      dest.putBlob(Readable.from([tampered]), {
        digest: layer.digest,
        size: layer.bytes.length,
      }),
    ).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    await expect(dest.commit()).rejects.toThrow(/nothing committed/);
    await dest.close();
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses to overwrite an existing archive', async () => {
    const dir = await tempDir();
    const path = join(dir, 'exists.tar');
    await writeFile(path, 'not empty');
    await expect(
      parseDockerArchiveReference(path).newImageDestination(sys),
    ).rejects.toThrow(/already exists/);
  });

  it('leaves nothing behind when closed without commit', async () => {
    const dir = await tempDir();
    const path = join(dir, 'aborted.tar');
    const image = await makeImage([{ f: 'x' }]);
    const dest =
      await parseDockerArchiveReference(path).newImageDestination(sys);
    await dest.putBlob(
      Readable.from([image.config.bytes]),
      { digest: image.config.digest, size: image.config.bytes.length },
      { isConfig: true },
    );
    await dest.close();
    expect(existsSync(path)).toBe(false);
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses signatures and non-v2s2 manifests', async () => {
    const dir = await tempDir();
    const dest = await parseDockerArchiveReference(
      join(dir, 's.tar'),
    ).newImageDestination(sys);
    expect(await dest.supportsSignatures()).toBe(false);
    expect(dest.supportedManifestMediaTypes()).toEqual([
      'application/vnd.docker.distribution.manifest.v2+json',
    ]);
    await expect(dest.putSignatures([Buffer.from('sig')])).rejects.toThrow(
      /Can not copy signatures to docker-archive:/,
    );
    await expect(
      dest.putManifest({
        bytes: Buffer.from(
          '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[]}',
        ),
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
      }),
    ).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    await dest.close();
  });
});
