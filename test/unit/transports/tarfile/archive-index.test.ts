import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ArchiveIndex } from '../../../../src/transports/internal/tarfile/archive-index.js';
import { DockerArchiveReader } from '../../../../src/transports/internal/tarfile/reader.js';
import { tempDir } from '../../../helpers/paths.js';
import { makeTar, readAll } from './image-builder.js';

async function writeTar(
  entries: Parameters<typeof makeTar>[0],
): Promise<string> {
  const path = join(await tempDir(), 'a.tar');
  await writeFile(path, await makeTar(entries));
  return path;
}

describe('ArchiveIndex', () => {
  it('serves every entry by offset, including long (pax/GNU) names', async () => {
    const long = `${'d'.repeat(120)}/${'f'.repeat(120)}.tar`;
    const big = createHash('sha512')
      .update('x')
      .digest()
      .toString('hex')
      .repeat(300);
    const path = await writeTar([
      { name: 'small', data: 'hello' },
      { name: long, data: big },
      { name: 'empty', data: '' },
      { name: 'dir', type: 'directory' },
      { name: 'dir/after', data: 'after the long one' },
    ]);
    const index = await ArchiveIndex.build(path);
    const read = async (n: string) =>
      (await readAll(index.open(index.resolve(n)))).toString();
    expect(await read('small')).toBe('hello');
    expect(await read(long)).toBe(big);
    expect(await read('empty')).toBe('');
    expect(await read('./dir/after')).toBe('after the long one');
    expect((await index.read('small', 5)).toString()).toBe('hello');
    await expect(index.read('small', 4)).rejects.toThrow(
      /over the 4-byte limit/,
    );
    expect(() => index.resolve('dir')).toThrow(/not a regular file/);
    expect(() => index.resolve('missing')).toThrow(/no entry "missing"/);
  });

  it('follows symlinks and hard links inside the archive', async () => {
    const path = await writeTar([
      { name: 'real.tar', data: 'layer bytes' },
      { name: 'id/layer.tar', type: 'symlink', linkname: '../real.tar' },
      { name: 'hard', type: 'link', linkname: 'real.tar' },
      { name: 'chain', type: 'symlink', linkname: 'id/layer.tar' },
      { name: 'loop1', type: 'symlink', linkname: 'loop2' },
      { name: 'loop2', type: 'symlink', linkname: 'loop1' },
    ]);
    const index = await ArchiveIndex.build(path);
    for (const n of ['id/layer.tar', 'hard', 'chain']) {
      expect(index.resolve(n).name).toBe('real.tar');
    }
    expect(() => index.resolve('loop1')).toThrow(/too many links/);
  });

  it('rejects input that is not a tar file', async () => {
    const path = join(await tempDir(), 'junk.tar');
    await writeFile(path, Buffer.alloc(700, 7));
    await expect(ArchiveIndex.build(path)).rejects.toMatchObject({
      code: 'INVALID_MANIFEST',
    });
  });
});

describe('DockerArchiveReader', () => {
  const manifest = JSON.stringify([
    { Config: 'c.json', RepoTags: ['example.com/a:1'], Layers: [] },
    { Config: 'c.json', RepoTags: null, Layers: [] },
  ]);

  it('reads gzip-compressed archives and streams via a private spool file', async () => {
    const tarBytes = await makeTar([
      { name: 'manifest.json', data: manifest },
      { name: 'c.json', data: '{"rootfs":{"type":"layers","diff_ids":[]}}' },
    ]);
    const path = join(await tempDir(), 'a.tar.gz');
    await writeFile(path, gzipSync(tarBytes));
    const fromFile = await DockerArchiveReader.fromFile(path);
    expect(fromFile.items).toHaveLength(2);
    expect(fromFile.chooseItem(undefined, 1).RepoTags).toEqual([]);
    await fromFile.close();

    const fromStream = await DockerArchiveReader.fromStream(
      Readable.from([tarBytes]),
      'stream',
    );
    expect(fromStream.index.path).not.toBe(path);
    expect(() => fromStream.chooseItem()).toThrow(/holds 2 images/);
    await fromStream.close();
  });

  it('needs manifest.json', async () => {
    const path = await writeTar([{ name: 'repositories', data: '{}' }]);
    await expect(DockerArchiveReader.fromFile(path)).rejects.toThrow(
      /no manifest.json/,
    );
  });

  it('reports a missing archive as not found', async () => {
    await expect(
      DockerArchiveReader.fromFile(join(await tempDir(), 'none.tar')),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
