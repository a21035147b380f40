import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ImgsignError } from '../../errors.js';
import { TarfileImageDestination } from '../internal/tarfile/destination.js';
import { TarStreamWriter } from '../internal/tarfile/writer.js';
import type { ImageDestination } from '../types.js';
import type { DockerArchiveReference } from './reference.js';

/**
 * A docker-archive destination: the tar is streamed into a temporary file
 * beside PATH and renamed over it on commit, so an interrupted copy leaves
 * nothing at PATH. Like skopeo, an existing non-empty file is not replaced.
 */
export async function newDockerArchiveDestination(
  ref: DockerArchiveReference,
): Promise<ImageDestination> {
  const path = ref.path;
  const existing = await stat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw new ImgsignError(
      'INCONCLUSIVE',
      `docker-archive:${path}: ${err.message}`,
      { cause: err },
    );
  });
  if (existing && (!existing.isFile() || existing.size !== 0)) {
    throw new ImgsignError(
      'USAGE',
      `docker-archive:${path} already exists: docker-archive does not modify existing archives; remove it or choose another path`,
    );
  }
  const dir = dirname(path);
  const tmp = join(
    dir,
    `.${basename(path)}.imgsign-${randomBytes(6).toString('hex')}.tmp`,
  );
  let spoolDir: string;
  try {
    spoolDir = await mkdtemp(join(dir, '.imgsign-spool-'));
  } catch (err) {
    throw new ImgsignError(
      'INCONCLUSIVE',
      `docker-archive:${path}: cannot write in ${dir}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  const out = createWriteStream(tmp, { flags: 'wx', mode: 0o644 });
  out.on('error', () => undefined); // reported through the writer's pipeline
  return new TarfileImageDestination({
    reference: ref,
    writer: new TarStreamWriter(out),
    repoTags: ref.tag ? [ref.tag] : [],
    decompressLayers: true,
    spoolDir,
    publish: async () => {
      await rename(tmp, path);
    },
    discard: async () => {
      await rm(tmp, { force: true });
    },
  });
}
