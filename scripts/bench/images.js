// Benchmark images in skopeo's dir: layout, written by streaming random bytes
// (never held in memory). Layer bytes are opaque to a copy, so they are raw
// random data labelled as gzip layers, as far as any registry cares.
import { createHash, randomBytes } from 'node:crypto';
import {
  mkdirSync,
  openSync,
  renameSync,
  writeFileSync,
  writeSync,
  closeSync,
} from 'node:fs';
import { join } from 'node:path';

function writeRandomBlob(dir, size) {
  const tmp = join(dir, 'blob.tmp');
  const fd = openSync(tmp, 'w');
  const hash = createHash('sha256');
  const chunk = 4 * 1024 * 1024;
  for (let left = size; left > 0; left -= chunk) {
    const buf = randomBytes(Math.min(chunk, left));
    hash.update(buf);
    writeSync(fd, buf);
  }
  closeSync(fd);
  const hex = hash.digest('hex');
  renameSync(tmp, join(dir, hex));
  return { digest: `sha256:${hex}`, size };
}

/** Write `dir:` image with `count` layers of `layerSize` bytes; returns its path. */
export function makeBenchImage(dir, count, layerSize) {
  mkdirSync(dir, { recursive: true });
  const layers = [];
  for (let i = 0; i < count; i++) layers.push(writeRandomBlob(dir, layerSize));
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
    }),
  );
  const configHex = createHash('sha256').update(config).digest('hex');
  writeFileSync(join(dir, configHex), config);
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: {
      mediaType: 'application/vnd.docker.container.image.v1+json',
      size: config.length,
      digest: `sha256:${configHex}`,
    },
    layers: layers.map((l) => ({
      mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
      size: l.size,
      digest: l.digest,
    })),
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  writeFileSync(join(dir, 'version'), 'Directory Transport Version: 1.1\n');
  return { dir, layers };
}
