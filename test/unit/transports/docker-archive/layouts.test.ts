import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseDockerArchiveReference } from '../../../../src/transports/docker-archive/reference.js';
import { tempDir } from '../../../helpers/paths.js';
import {
  makeImage,
  makeTar,
  readImage,
  sha256,
  writeArchive,
} from '../tarfile/image-builder.js';

const hex = (d: string) => d.slice('sha256:'.length);

async function open(entries: Parameters<typeof writeArchive>[1]) {
  const path = await writeArchive(await tempDir(), entries);
  return parseDockerArchiveReference(path).newImageSource({});
}

describe('docker save layouts', () => {
  it('reads the docker 25+ layout (OCI blobs/ plus manifest.json)', async () => {
    const image = await makeImage([{ a: '1' }, { b: '2' }]);
    const [l0, l1] = image.layers;
    const src = await open([
      { name: 'blobs', type: 'directory' },
      { name: 'blobs/sha256', type: 'directory' },
      {
        name: `blobs/sha256/${hex(image.config.digest)}`,
        data: image.config.bytes,
      },
      { name: `blobs/sha256/${hex(l0!.digest)}`, data: l0!.bytes },
      { name: `blobs/sha256/${hex(l1!.digest)}`, data: l1!.bytes },
      { name: 'oci-layout', data: '{"imageLayoutVersion":"1.0.0"}' },
      { name: 'index.json', data: '{"schemaVersion":2,"manifests":[]}' },
      {
        name: 'manifest.json',
        data: JSON.stringify([
          {
            Config: `blobs/sha256/${hex(image.config.digest)}`,
            RepoTags: ['busybox:latest'],
            Layers: image.layers.map((l) => `blobs/sha256/${hex(l.digest)}`),
            LayerSources: {},
          },
        ]),
      },
    ]);
    const back = await readImage(src);
    await src.close();
    expect(back.manifest.config.digest).toBe(image.config.digest);
    expect(back.layers.map((l) => l.digest)).toEqual(image.diffIDs);
  });

  it('serves a layer listed twice (linked by docker save) under one DiffID', async () => {
    const layer = await makeTar([{ name: 'f', data: 'same' }]);
    const diffID = sha256(layer);
    const config = JSON.stringify({
      rootfs: { type: 'layers', diff_ids: [diffID, diffID] },
    });
    const src = await open([
      { name: 'c.json', data: config },
      { name: 'one/layer.tar', data: layer },
      { name: 'two/layer.tar', type: 'symlink', linkname: '../one/layer.tar' },
      {
        name: 'manifest.json',
        data: JSON.stringify([
          {
            Config: 'c.json',
            RepoTags: [],
            Layers: ['one/layer.tar', 'two/layer.tar'],
          },
        ]),
      },
    ]);
    const back = await readImage(src);
    await src.close();
    expect(back.manifest.layers.map((l) => l.digest)).toEqual([diffID, diffID]);
    expect(back.layers.map((l) => l.digest)).toEqual([diffID, diffID]);
  });

  it('decompresses gzip layer files and states the uncompressed size', async () => {
    const layer = await makeTar([{ name: 'g', data: 'gz'.repeat(1000) }]);
    const config = JSON.stringify({
      rootfs: { type: 'layers', diff_ids: [sha256(layer)] },
    });
    const src = await open([
      { name: 'c.json', data: config },
      { name: 'l.tar.gz', data: gzipSync(layer) },
      {
        name: 'manifest.json',
        data: JSON.stringify([
          { Config: 'c.json', RepoTags: [], Layers: ['l.tar.gz'] },
        ]),
      },
    ]);
    const back = await readImage(src);
    await src.close();
    expect(back.manifest.layers[0]).toMatchObject({
      digest: sha256(layer),
      size: layer.length,
      mediaType: 'application/vnd.docker.image.rootfs.diff.tar',
    });
    expect(back.layers[0]?.digest).toBe(sha256(layer));
  });

  it.each([
    [
      'more layers than diff_ids',
      ['l.tar', 'l.tar'],
      /lists 2 layers but the config has 1/,
    ],
    ['a missing layer file', ['nope.tar'], /no entry "nope.tar"/],
  ])('refuses %s', async (_, layers, message) => {
    const layer = await makeTar([{ name: 'x', data: 'x' }]);
    const config = JSON.stringify({
      rootfs: { type: 'layers', diff_ids: [sha256(layer)] },
    });
    await expect(
      open([
        { name: 'c.json', data: config },
        { name: 'l.tar', data: layer },
        {
          name: 'manifest.json',
          data: JSON.stringify([{ Config: 'c.json', Layers: layers }]),
        },
      ]),
    ).rejects.toThrow(message);
  });
});
