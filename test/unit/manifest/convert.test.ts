import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  convertImageManifest,
  rebuildList,
} from '../../../src/manifest/convert.js';
import { MediaType } from '../../../src/manifest/media-types.js';
import {
  parseManifest,
  type ImageManifest,
  type ManifestList,
} from '../../../src/manifest/parse.js';
import { manifestFixtures } from '../../helpers/paths.js';

const image = (bytes: Buffer): ImageManifest => {
  const m = parseManifest(bytes);
  if (m.kind !== 'image') throw new Error('not an image');
  return m;
};

describe('v2s2 ↔ OCI conversion', () => {
  const v2s2 = readFileSync(join(manifestFixtures, 'v2s2.manifest.json'));

  it('converts v2s2 to OCI keeping blobs and mapping media types', () => {
    const src = image(v2s2);
    const oci = image(convertImageManifest(src, MediaType.ociManifest));
    expect(oci.mediaType).toBe(MediaType.ociManifest);
    expect(oci.config?.digest).toBe(src.config?.digest);
    expect(oci.config?.mediaType).toBe(MediaType.ociConfig);
    expect(oci.layers.map((l) => l.digest)).toEqual(
      src.layers.map((l) => l.digest),
    );
    expect(
      oci.layers.every((l) => l.mediaType === MediaType.ociLayerGzip),
    ).toBe(true);
  });

  it('round-trips back to an equivalent v2s2 (new bytes, same content)', () => {
    const src = image(v2s2);
    const back = image(
      convertImageManifest(
        image(convertImageManifest(src, MediaType.ociManifest)),
        MediaType.dockerV2Schema2,
      ),
    );
    expect(back.mediaType).toBe(MediaType.dockerV2Schema2);
    expect(back.config).toEqual({ ...src.config });
    expect(back.layers).toEqual(src.layers);
  });

  it('refuses zstd layers for v2s2 and schema1 altogether', () => {
    const zstd = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.ociManifest,
        config: {
          mediaType: MediaType.ociConfig,
          digest: `sha256:${'1'.repeat(64)}`,
          size: 2,
        },
        layers: [
          {
            mediaType: MediaType.ociLayerZstd,
            digest: `sha256:${'2'.repeat(64)}`,
            size: 3,
          },
        ],
      }),
    );
    expect(() =>
      convertImageManifest(image(zstd), MediaType.dockerV2Schema2),
    ).toThrow(/no Docker v2s2 equivalent/);
    const s1 = image(
      readFileSync(join(manifestFixtures, 'v2s1.manifest.json')),
    );
    expect(() => convertImageManifest(s1, MediaType.ociManifest)).toThrow(
      /schema1/,
    );
  });

  it('rebuilds a list as an OCI index with the new instance digests and platforms', () => {
    const l = parseManifest(
      readFileSync(join(manifestFixtures, 'v2list.manifest.json')),
    ) as ManifestList;
    const first = l.manifests[0]!;
    const updates = new Map([
      [
        first.digest,
        {
          digest: `sha256:${'f'.repeat(64)}`,
          size: 7,
          mediaType: MediaType.ociManifest,
        },
      ],
    ]);
    const out = parseManifest(rebuildList(l, MediaType.ociIndex, updates));
    if (out.kind !== 'list') throw new Error('not a list');
    expect(out.mediaType).toBe(MediaType.ociIndex);
    expect(out.manifests).toHaveLength(1);
    expect(out.manifests[0]).toMatchObject({
      digest: `sha256:${'f'.repeat(64)}`,
      size: 7,
      platform: first.platform,
    });
  });
});
