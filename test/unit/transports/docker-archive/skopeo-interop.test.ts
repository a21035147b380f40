import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { parseDockerArchiveReference } from '../../../../src/transports/docker-archive/reference.js';
import { tempDir } from '../../../helpers/paths.js';
import { describeWithPeers } from '../../../helpers/peers.js';
import {
  makeImage,
  putImage,
  readImage,
  sha256,
  writeDirImage,
} from '../tarfile/image-builder.js';

const run = promisify(execFile);

describeWithPeers('docker-archive interop with skopeo', ['skopeo'], () => {
  it('skopeo inspects and copies an archive imgsign wrote', async () => {
    const dir = await tempDir();
    const path = join(dir, 'mine.tar');
    const image = await makeImage([{ 'a.txt': 'a' }, { 'b.txt': 'b' }], {
      gzip: true,
    });
    const dest = await parseDockerArchiveReference(
      `${path}:example.com/imgsign/app:v1`,
    ).newImageDestination({});
    await putImage(dest, image);
    await dest.close();

    const { stdout } = await run('skopeo', [
      'inspect',
      `docker-archive:${path}`,
    ]);
    expect((JSON.parse(stdout) as { Layers: string[] }).Layers).toEqual(
      image.diffIDs,
    );
    const out = join(dir, 'copied');
    await run('skopeo', [
      'copy',
      `docker-archive:${path}:example.com/imgsign/app:v1`,
      `dir:${out}`,
    ]);
    const manifest = JSON.parse(
      await readFile(join(out, 'manifest.json'), 'utf8'),
    ) as { config: { digest: string }; layers: { digest: string }[] };
    expect(manifest.config.digest).toBe(image.config.digest);
    expect(manifest.layers.map((l) => l.digest)).toEqual(image.diffIDs);
    for (const digest of image.diffIDs) {
      const blob = await readFile(join(out, digest.slice('sha256:'.length)));
      expect(sha256(blob)).toBe(digest);
    }
  });

  it.each([
    ['plain', false],
    ['gzip', true],
  ])(
    'imgsign reads an archive skopeo wrote from a dir: image (%s layers)',
    async (_, gzip) => {
      const dir = await tempDir();
      const image = await makeImage([{ 'one.txt': '1' }, { 'two.txt': '2' }], {
        gzip,
      });
      await writeDirImage(join(dir, 'src'), image);
      const path = join(dir, 'skopeo.tar');
      await run('skopeo', [
        'copy',
        `dir:${join(dir, 'src')}`,
        `docker-archive:${path}:example.com/skopeo/app:v2`,
      ]);
      for (const r of [
        path,
        `${path}:example.com/skopeo/app:v2`,
        `${path}:@0`,
      ]) {
        const src = await parseDockerArchiveReference(r).newImageSource({});
        const back = await readImage(src);
        await src.close();
        expect(back.manifest.config.digest).toBe(image.config.digest);
        expect(back.manifest.layers.map((l) => l.digest)).toEqual(
          image.diffIDs,
        );
        expect(back.layers.map((l) => l.digest)).toEqual(image.diffIDs);
      }
    },
  );
});
