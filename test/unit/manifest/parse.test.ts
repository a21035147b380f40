import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MediaType } from '../../../src/manifest/media-types.js';
import { parseManifest, referencedBlobs } from '../../../src/manifest/parse.js';
import { manifestFixtures } from '../../helpers/paths.js';

const fixture = (name: string) => readFileSync(join(manifestFixtures, name));

describe('parseManifest', () => {
  it('reads config and layers of a v2s2 manifest in order', () => {
    const m = parseManifest(fixture('v2s2.manifest.json'));
    expect(m.kind).toBe('image');
    if (m.kind !== 'image') return;
    expect(m.mediaType).toBe(MediaType.dockerV2Schema2);
    expect(m.config?.mediaType).toBe(MediaType.dockerV2Config);
    const raw = JSON.parse(fixture('v2s2.manifest.json').toString()) as {
      layers: { digest: string; size: number }[];
    };
    expect(m.layers.map((l) => [l.digest, l.size])).toEqual(
      raw.layers.map((l) => [l.digest, l.size]),
    );
  });

  it('reads schema1 fsLayers base-first', () => {
    const bytes = fixture('v2s1.manifest.json');
    const m = parseManifest(bytes);
    if (m.kind !== 'image') throw new Error('expected an image');
    const raw = JSON.parse(bytes.toString()) as {
      fsLayers: { blobSum: string }[];
    };
    expect(m.config).toBeUndefined();
    expect(m.layers.map((l) => l.digest)).toEqual(
      raw.fsLayers.map((l) => l.blobSum).reverse(),
    );
    // Repeated blobSums (empty layers) are copied once.
    expect(new Set(referencedBlobs(m).map((b) => b.digest)).size).toBe(
      referencedBlobs(m).length,
    );
  });

  it('reads list instances with platforms', () => {
    const m = parseManifest(fixture('v2list.manifest.json'));
    if (m.kind !== 'list') throw new Error('expected a list');
    expect(m.manifests.length).toBeGreaterThan(1);
    expect(m.manifests.every((i) => i.platform?.architecture)).toBe(true);
    const idx = parseManifest(fixture('ociv1.image.index.json'));
    expect(idx.kind).toBe('list');
  });

  it('rejects a descriptor whose digest could escape a path', () => {
    const bad = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.ociManifest,
        config: {
          mediaType: MediaType.ociConfig,
          digest: 'sha256:../../etc/passwd',
          size: 1,
        },
        layers: [],
      }),
    );
    expect(() => parseManifest(bad)).toThrow(/not a valid digest/);
  });

  it('rejects negative or fractional sizes and non-JSON', () => {
    const withSize = (size: unknown) =>
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: MediaType.ociManifest,
          config: {
            mediaType: MediaType.ociConfig,
            digest: `sha256:${'a'.repeat(64)}`,
            size,
          },
          layers: [],
        }),
      );
    expect(() => parseManifest(withSize(-1))).toThrow(/invalid size/);
    expect(() => parseManifest(withSize(1.5))).toThrow(/invalid size/);
    expect(() => parseManifest(withSize('1'))).toThrow(/invalid size/);
    expect(() => parseManifest(fixture('non-json.manifest.json'))).toThrow(
      /not JSON/,
    );
  });

  it('refuses manifests over the size bound', () => {
    const huge = Buffer.alloc(4 * 1024 * 1024 + 1, 0x20);
    expect(() => parseManifest(huge)).toThrow(/limit/);
  });
});
