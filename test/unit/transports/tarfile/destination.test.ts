import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseDockerArchiveReference } from '../../../../src/transports/docker-archive/reference.js';
import { tempDir } from '../../../helpers/paths.js';
import { makeImage, readImage } from './image-builder.js';

describe('tar destination', () => {
  it('accepts blobs in parallel, with unknown sizes and without isConfig', async () => {
    const path = join(await tempDir(), 'p.tar');
    const image = await makeImage(
      Array.from({ length: 6 }, (_, i) => ({ [`f${i}`]: `content ${i}` })),
      { gzip: false },
    );
    const dest = await parseDockerArchiveReference(path).newImageDestination(
      {},
    );
    // Slow sources: each yields in two pieces so the writes overlap.
    const slow = (b: Buffer) =>
      Readable.from(
        (async function* () {
          yield b.subarray(0, 100);
          await new Promise((r) => setImmediate(r));
          yield b.subarray(100);
        })(),
      );
    await Promise.all([
      dest.putBlob(slow(image.config.bytes), {
        digest: image.config.digest,
        size: -1,
      }),
      ...image.layers.map((l, i) =>
        dest.putBlob(slow(l.bytes), {
          digest: l.digest,
          size: i % 2 === 0 ? l.bytes.length : -1,
        }),
      ),
    ]);
    // The same blob again is reused, not written twice.
    expect(
      await dest.tryReusingBlob({ digest: image.layers[0]!.digest, size: -1 }),
    ).toMatchObject({ size: image.layers[0]!.bytes.length });
    await dest.putManifest({
      bytes: image.manifest,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    });
    await dest.commit();
    await dest.close();

    const src = await parseDockerArchiveReference(path).newImageSource({});
    const back = await readImage(src);
    await src.close();
    expect(back.layers.map((l) => l.digest)).toEqual(image.diffIDs);
  });

  it('reads a repeated blob to its end (copiers check that) and stores it once', async () => {
    const path = join(await tempDir(), 'dup.tar');
    const image = await makeImage([{ d: 'dup' }]);
    const layer = image.layers[0]!;
    const dest = await parseDockerArchiveReference(path).newImageDestination(
      {},
    );
    const ended: boolean[] = [];
    const tracked = () => {
      const s = Readable.from([
        layer.bytes.subarray(0, 512),
        layer.bytes.subarray(512),
      ]);
      s.on('end', () => ended.push(true));
      return s;
    };
    const info = { digest: layer.digest, size: layer.bytes.length };
    await Promise.all([
      dest.putBlob(tracked(), info),
      dest.putBlob(tracked(), info),
    ]);
    await dest.putBlob(tracked(), info);
    expect(ended).toEqual([true, true, true]);
    await dest.close();
  });

  it('refuses a manifest whose layers do not match the config diff_ids', async () => {
    const path = join(await tempDir(), 'm.tar');
    const a = await makeImage([{ a: '1' }]);
    const b = await makeImage([{ b: '2' }]);
    const dest = await parseDockerArchiveReference(path).newImageDestination(
      {},
    );
    await dest.putBlob(
      Readable.from([a.config.bytes]),
      { digest: a.config.digest, size: -1 },
      { isConfig: true },
    );
    await dest.putBlob(Readable.from([b.layers[0]!.bytes]), {
      digest: b.layers[0]!.digest,
      size: -1,
    });
    const manifest = JSON.parse(b.manifest.toString()) as {
      config: { digest: string };
    };
    manifest.config.digest = a.config.digest;
    await expect(
      dest.putManifest({
        bytes: Buffer.from(JSON.stringify(manifest)),
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      }),
    ).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    await dest.close();
  });
});
