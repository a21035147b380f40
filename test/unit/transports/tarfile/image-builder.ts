import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import * as tar from 'tar-stream';
import type {
  ImageDestination,
  ImageSource,
} from '../../../../src/transports/types.js';

/** Test images for the docker-archive / docker-daemon tests, built in memory (they are tiny). */

export function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export interface RawTarEntry {
  name: string;
  type?: 'file' | 'symlink' | 'link' | 'directory';
  linkname?: string;
  data?: Buffer | string;
}

/** A tar file with exactly these entries (used for layers and for hostile archives). */
export async function makeTar(entries: RawTarEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const c of pack as AsyncIterable<Buffer>) chunks.push(c);
  })();
  for (const e of entries) {
    const type = e.type ?? 'file';
    const data = Buffer.from(e.data ?? '');
    await new Promise<void>((resolve, reject) => {
      const header = {
        name: e.name,
        type,
        mtime: new Date(0),
        ...(e.linkname !== undefined ? { linkname: e.linkname } : {}),
      };
      const cb = (err?: Error | null) => (err ? reject(err) : resolve());
      if (type === 'file') pack.entry(header, data, cb);
      else pack.entry(header, cb);
    });
  }
  pack.finalize();
  await collected;
  return Buffer.concat(chunks);
}

export interface TestBlob {
  bytes: Buffer;
  digest: string;
  mediaType: string;
}

export interface TestImage {
  config: TestBlob;
  layers: TestBlob[];
  /** DiffIDs, i.e. digests of the uncompressed layer tars. */
  diffIDs: string[];
  manifest: Buffer;
}

/** A v2s2 image with `layerFiles.length` layers, each a tar of the given files. */
export async function makeImage(
  layerFiles: Record<string, string>[],
  options: { gzip?: boolean } = {},
): Promise<TestImage> {
  const tars = await Promise.all(
    layerFiles.map((files) =>
      makeTar(Object.entries(files).map(([name, data]) => ({ name, data }))),
    ),
  );
  const diffIDs = tars.map((t) => sha256(t));
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created: '2026-01-01T00:00:00Z',
      config: { Cmd: ['/bin/true'] },
      rootfs: { type: 'layers', diff_ids: diffIDs },
    }),
  );
  const layers = tars.map((t): TestBlob => {
    const bytes = options.gzip ? gzipSync(t) : t;
    return {
      bytes,
      digest: sha256(bytes),
      mediaType: options.gzip
        ? 'application/vnd.docker.image.rootfs.diff.tar.gzip'
        : 'application/vnd.docker.image.rootfs.diff.tar',
    };
  });
  const configBlob = {
    bytes: config,
    digest: sha256(config),
    mediaType: 'application/vnd.docker.container.image.v1+json',
  };
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: {
        mediaType: configBlob.mediaType,
        size: config.length,
        digest: configBlob.digest,
      },
      layers: layers.map((l) => ({
        mediaType: l.mediaType,
        size: l.bytes.length,
        digest: l.digest,
      })),
    }),
  );
  return { config: configBlob, layers, diffIDs, manifest };
}

/** Push a TestImage into a destination and commit. */
export async function putImage(
  dest: ImageDestination,
  image: TestImage,
): Promise<void> {
  await dest.putBlob(
    Readable.from([image.config.bytes]),
    { digest: image.config.digest, size: image.config.bytes.length },
    { isConfig: true },
  );
  for (const l of image.layers) {
    await dest.putBlob(Readable.from([l.bytes]), {
      digest: l.digest,
      size: l.bytes.length,
    });
  }
  await dest.putManifest({
    bytes: image.manifest,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
  });
  await dest.commit();
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

export interface ReadBack {
  manifest: {
    config: { digest: string; size: number; mediaType: string };
    layers: { digest: string; size: number; mediaType: string }[];
  };
  config: Buffer;
  /** Each layer's bytes as served, with the digest they hash to. */
  layers: { digest: string; bytes: Buffer }[];
}

/** Read the manifest and every blob from a source, hashing what is served. */
export async function readImage(src: ImageSource): Promise<ReadBack> {
  const m = await src.getManifest();
  const manifest = JSON.parse(m.bytes.toString('utf8')) as ReadBack['manifest'];
  const config = await readAll(
    (await src.getBlob({ digest: manifest.config.digest, size: -1 })).stream,
  );
  const layers = [];
  for (const l of manifest.layers) {
    const { stream, size } = await src.getBlob({ digest: l.digest, size: -1 });
    const bytes = await readAll(stream);
    if (size !== bytes.length)
      throw new Error(`size ${size} ≠ ${bytes.length}`);
    layers.push({ digest: sha256(bytes), bytes });
  }
  return { manifest, config, layers };
}

/** Write a skopeo `dir:` image (what skopeo copy reads). */
export async function writeDirImage(
  dir: string,
  image: TestImage,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const hex = (d: string) => d.slice('sha256:'.length);
  await writeFile(join(dir, hex(image.config.digest)), image.config.bytes);
  for (const l of image.layers)
    await writeFile(join(dir, hex(l.digest)), l.bytes);
  await writeFile(join(dir, 'manifest.json'), image.manifest);
  await writeFile(join(dir, 'version'), 'Directory Transport Version: 1.1\n');
}

/** Entries of a minimal valid docker save archive (one layer), to be extended by hostile tests. */
export async function validArchiveEntries(): Promise<{
  image: TestImage;
  entries: RawTarEntry[];
}> {
  const image = await makeImage([{ 'hello.txt': 'hello' }]);
  const hex = (d: string) => d.slice('sha256:'.length);
  const layer = image.layers[0]!;
  return {
    image,
    entries: [
      { name: `${hex(image.config.digest)}.json`, data: image.config.bytes },
      { name: `${hex(layer.digest)}.tar`, data: layer.bytes },
      {
        name: 'manifest.json',
        data: JSON.stringify([
          {
            Config: `${hex(image.config.digest)}.json`,
            RepoTags: ['example.com/app:v1'],
            Layers: [`${hex(layer.digest)}.tar`],
          },
        ]),
      },
    ],
  };
}

/** Write a hostile archive into a fresh temp dir and try to open it as docker-archive:. */
export async function writeArchive(
  dir: string,
  entries: RawTarEntry[],
): Promise<string> {
  const path = join(dir, 'hostile.tar');
  await writeFile(path, await makeTar(entries));
  return path;
}
