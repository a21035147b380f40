import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyImage } from '../../src/copy/copy.js';
import { parseImageName } from '../../src/transports/all.js';
import { makeDirImage, makeDirList, sha256 } from '../fixtures/make-images.js';
import { tempDir } from '../helpers/paths.js';

const sys = {};

async function copy(from: string, to: string, extra = {}) {
  return copyImage({
    source: parseImageName(from),
    destination: parseImageName(to),
    sys,
    ...extra,
  });
}

async function topManifest(name: string): Promise<Buffer> {
  const src = await parseImageName(name).newImageSource(sys);
  try {
    return (await src.getManifest()).bytes;
  } finally {
    await src.close();
  }
}

describe('copying between dir:, oci: and oci-archive:', () => {
  for (const format of ['v2s2', 'oci'] as const) {
    it(`round-trips a ${format} image dir → oci → oci-archive → dir with the same digests`, async () => {
      const t = await tempDir();
      const img = await makeDirImage(join(t, 'src'), { format, layers: 3 });
      // v2s2 cannot be stored in an OCI layout without conversion; --format keeps the test symmetric.
      const r1 = await copy(`dir:${t}/src`, `oci:${t}/layout:v1`);
      if (format === 'oci') {
        expect(r1.digestChanged).toBe(false);
        expect(r1.manifestDigest).toBe(img.manifestDigest);
      } else {
        expect(r1.digestChanged).toBe(true);
        expect(r1.manifestDigest).not.toBe(img.manifestDigest);
      }
      const r2 = await copy(`oci:${t}/layout:v1`, `oci-archive:${t}/a.tar:v1`);
      expect(r2.manifestDigest).toBe(r1.manifestDigest);
      expect(r2.digestChanged).toBe(false);
      const r3 = await copy(`oci-archive:${t}/a.tar:v1`, `dir:${t}/back`);
      expect(r3.manifestDigest).toBe(r1.manifestDigest);
      const back = await readFile(join(t, 'back/manifest.json'));
      expect(sha256(back)).toBe(r1.manifestDigest);
      for (const b of [img.config, ...img.layers]) {
        const bytes = await readFile(join(t, 'back', b.digest.slice(7)));
        expect(sha256(bytes)).toBe(b.digest);
      }
      expect(r3.blobs.map((b) => b.digest).sort()).toEqual(
        [img.config, ...img.layers].map((b) => b.digest).sort(),
      );
    });
  }

  it('keeps the manifest bytes exactly for dir → dir', async () => {
    const t = await tempDir();
    const img = await makeDirImage(join(t, 'src'));
    const r = await copy(`dir:${t}/src`, `dir:${t}/dst`);
    expect(r.digestChanged).toBe(false);
    expect(await readFile(join(t, 'dst/manifest.json'))).toEqual(img.manifest);
    expect(await readFile(join(t, 'dst/version'), 'utf8')).toBe(
      'Directory Transport Version: 1.1\n',
    );
  });

  it('adds a second ref to an existing OCI layout and keeps the first', async () => {
    const t = await tempDir();
    const a = await makeDirImage(join(t, 'a'), { format: 'oci' });
    const b = await makeDirImage(join(t, 'b'), { format: 'oci' });
    await copy(`dir:${t}/a`, `oci:${t}/l:one`);
    await copy(`dir:${t}/b`, `oci:${t}/l:two`);
    expect(sha256(await topManifest(`oci:${t}/l:one`))).toBe(a.manifestDigest);
    expect(sha256(await topManifest(`oci:${t}/l:two`))).toBe(b.manifestDigest);
    // Replacing "one" moves the name to the new image.
    await copy(`dir:${t}/b`, `oci:${t}/l:one`);
    expect(sha256(await topManifest(`oci:${t}/l:one`))).toBe(b.manifestDigest);
    const entries = await readdir(t + '/l');
    expect(entries.filter((e) => e.startsWith('.imgsign'))).toEqual([]);
  });

  it('copies a manifest list with --all and selects one instance without it', async () => {
    const t = await tempDir();
    const list = await makeDirList(
      join(t, 'src'),
      [
        { os: 'linux', architecture: 'amd64' },
        { os: 'linux', architecture: 'arm64', variant: 'v8' },
      ],
      { format: 'oci' },
    );
    const all = await copy(`dir:${t}/src`, `oci:${t}/l:multi`, { all: true });
    expect(all.manifestDigest).toBe(list.manifestDigest);
    expect(all.instances.map((i) => i.digest)).toEqual(
      list.instances.map((i) => i.manifestDigest),
    );
    const one = await copy(`dir:${t}/src`, `dir:${t}/arm`, {
      platform: { os: 'linux', arch: 'arm64' },
    });
    expect(one.manifestDigest).toBe(list.instances[1]!.manifestDigest);
    expect(await readFile(join(t, 'arm/manifest.json'))).toEqual(
      list.instances[1]!.manifest,
    );
  });
});
