#!/usr/bin/env node
// Writes a tiny single-layer image in skopeo's `dir:` layout, for the demo and
// benchmarks: usage `node scripts/make-demo-image.js DIR [LAYER_BYTES]`.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';

const [dir, sizeArg] = process.argv.slice(2);
if (!dir) {
  process.stderr.write('usage: make-demo-image.js DIR [LAYER_BYTES]\n');
  process.exit(2);
}
const size = Number(sizeArg ?? 1024);

function sha256(buf) {
  return createHash('sha256').update(buf).digest('hex');
}

const pack = tar.pack();
const chunks = [];
pack.on('data', (c) => chunks.push(c));
const done = new Promise((resolve) => pack.on('end', resolve));
pack.entry({ name: 'hello.txt', mtime: new Date(0) }, 'hello from imgsign\n');
pack.entry({ name: 'random.bin', mtime: new Date(0) }, randomBytes(size));
pack.finalize();
await done;
const layerTar = Buffer.concat(chunks);
const layer = gzipSync(layerTar);
const config = Buffer.from(
  JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    created: new Date().toISOString(),
    config: { Cmd: ['/hello.txt'] },
    rootfs: { type: 'layers', diff_ids: [`sha256:${sha256(layerTar)}`] },
    history: [{ created_by: 'imgsign make-demo-image' }],
  }),
);
const manifest = Buffer.from(
  JSON.stringify(
    {
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: {
        mediaType: 'application/vnd.docker.container.image.v1+json',
        size: config.length,
        digest: `sha256:${sha256(config)}`,
      },
      layers: [
        {
          mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
          size: layer.length,
          digest: `sha256:${sha256(layer)}`,
        },
      ],
    },
    null,
    3,
  ),
);
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, sha256(config)), config);
writeFileSync(join(dir, sha256(layer)), layer);
writeFileSync(join(dir, 'manifest.json'), manifest);
writeFileSync(join(dir, 'version'), 'Directory Transport Version: 1.1\n');
process.stdout.write(`sha256:${sha256(manifest)}\n`);
