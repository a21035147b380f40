import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyImage } from '../../../../src/copy/copy.js';
import { dirTransport } from '../../../../src/transports/dir/transport.js';
import { ociTransport } from '../../../../src/transports/oci/transport.js';
import { makeDirImage, sha256 } from '../../../fixtures/make-images.js';
import { tempDir } from '../../../helpers/paths.js';

const sys = {};

interface Index {
  manifests: { digest: string; annotations?: Record<string, string> }[];
}

async function readIndex(layout: string): Promise<Index> {
  return JSON.parse(
    await readFile(join(layout, 'index.json'), 'utf8'),
  ) as Index;
}

async function toLayout(src: string, dest: string): Promise<void> {
  await copyImage({
    source: dirTransport.parseReference(src),
    destination: ociTransport.parseReference(dest),
    sys,
  });
}

describe('oci: references', () => {
  it('splits PATH:NAME at the first colon and round-trips', () => {
    const ref = ociTransport.parseReference('/tmp/l:name:with:colons');
    expect(ref.stringWithinTransport()).toBe('/tmp/l:name:with:colons');
    expect(ociTransport.parseReference('/tmp/l').stringWithinTransport()).toBe(
      '/tmp/l:',
    );
    expect(
      ociTransport.parseReference('/tmp/l:@2').stringWithinTransport(),
    ).toBe('/tmp/l:@2');
  });

  it('rejects invalid names and source indexes', () => {
    expect(() => ociTransport.parseReference('/tmp/l:bad name')).toThrow(
      /invalid image name/,
    );
    expect(() => ociTransport.parseReference('/tmp/l:@-1')).toThrow(
      /source index/,
    );
    expect(() => ociTransport.parseReference(':x')).toThrow(/empty/);
  });

  it('does not include the image name in the policy identity', () => {
    const a = ociTransport.parseReference('/tmp/l:a');
    expect(a.policyConfigurationIdentity()).toBe(
      ociTransport.parseReference('/tmp/l:b').policyConfigurationIdentity(),
    );
    expect(a.policyConfigurationNamespaces()).not.toContain('/');
  });
});

describe('oci: layout', () => {
  it('round-trips an OCI image with the same manifest and blob digests', async () => {
    const t = await tempDir();
    const img = await makeDirImage(join(t, 'src'), { format: 'oci' });
    await toLayout(join(t, 'src'), `${t}/l:v1`);
    expect(await readFile(join(t, 'l/oci-layout'), 'utf8')).toBe(
      '{"imageLayoutVersion":"1.0.0"}',
    );
    const idx = await readIndex(join(t, 'l'));
    expect(idx.manifests).toEqual([
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: img.manifestDigest,
        size: img.manifest.length,
        annotations: { 'org.opencontainers.image.ref.name': 'v1' },
      },
    ]);
    const src = await ociTransport
      .parseReference(`${t}/l:v1`)
      .newImageSource(sys);
    expect((await src.getManifest()).bytes).toEqual(img.manifest);
    for (const b of [img.config, ...img.layers]) {
      const { stream, size } = await src.getBlob(b);
      const chunks: Buffer[] = [];
      for await (const c of stream) chunks.push(c as Buffer);
      expect(size).toBe(b.size);
      expect(sha256(Buffer.concat(chunks))).toBe(b.digest);
    }
    expect(await src.getSignatures()).toEqual([]);
    await src.close();
  });

  it('moves a ref name to the new image and keeps other entries', async () => {
    const t = await tempDir();
    const a = await makeDirImage(join(t, 'a'), { format: 'oci' });
    const b = await makeDirImage(join(t, 'b'), { format: 'oci' });
    await toLayout(join(t, 'a'), `${t}/l:x`);
    await toLayout(join(t, 'a'), `${t}/l:keep`);
    await toLayout(join(t, 'b'), `${t}/l:x`);
    const idx = await readIndex(join(t, 'l'));
    const named = (n: string) =>
      idx.manifests.filter(
        (m) => m.annotations?.['org.opencontainers.image.ref.name'] === n,
      );
    expect(named('x').map((m) => m.digest)).toEqual([b.manifestDigest]);
    expect(named('keep').map((m) => m.digest)).toEqual([a.manifestDigest]);
    expect(
      (await readdir(join(t, 'l'))).filter((n) => n.startsWith('.')),
    ).toEqual([]);
  });

  it('selects by @index, and requires a name when the layout holds several images', async () => {
    const t = await tempDir();
    const a = await makeDirImage(join(t, 'a'), { format: 'oci' });
    const b = await makeDirImage(join(t, 'b'), { format: 'oci' });
    await toLayout(join(t, 'a'), `${t}/l:a`);
    await toLayout(join(t, 'b'), `${t}/l:b`);
    const at1 = await ociTransport
      .parseReference(`${t}/l:@1`)
      .newImageSource(sys);
    expect(sha256((await at1.getManifest()).bytes)).toBe(b.manifestDigest);
    await expect(
      ociTransport.parseReference(`${t}/l`).newImageSource(sys),
    ).rejects.toThrow(/choose one/);
    await expect(
      ociTransport.parseReference(`${t}/l:nope`).newImageSource(sys),
    ).rejects.toThrow(/no image named "nope"/);
    await expect(
      ociTransport.parseReference(`${t}/l:@5`).newImageSource(sys),
    ).rejects.toThrow(/too large/);
    expect(a.manifestDigest).not.toBe(b.manifestDigest);
  });

  it('does not create the layout when the copy is not committed', async () => {
    const t = await tempDir();
    const dest = await ociTransport
      .parseReference(`${t}/l:x`)
      .newImageDestination(sys);
    await dest.close();
    expect(existsSync(join(t, 'l'))).toBe(false);
    expect(await readdir(t)).toEqual([]);
  });

  it('refuses to store signatures', async () => {
    const t = await tempDir();
    const dest = await ociTransport
      .parseReference(`${t}/l:x`)
      .newImageDestination(sys);
    expect(await dest.supportsSignatures()).toBe(false);
    await expect(dest.putSignatures([Buffer.from('s')])).rejects.toThrow(
      /Can not copy signatures/,
    );
    await dest.close();
  });

  it('rejects an index.json whose entries carry invalid digests', async () => {
    const t = await tempDir();
    await mkdir(join(t, 'l'));
    await writeFile(
      join(t, 'l/index.json'),
      JSON.stringify({
        schemaVersion: 2,
        manifests: [{ digest: 'sha256:../../x', size: 1 }],
      }),
    );
    await expect(
      ociTransport.parseReference(`${t}/l`).newImageSource(sys),
    ).rejects.toThrow(/invalid digest/);
  });
});
