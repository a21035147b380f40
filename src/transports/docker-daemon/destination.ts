import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { DockerReference } from '../../reference/docker-reference.js';
import type { SystemContext } from '../../system-context.js';
import { TarfileImageDestination } from '../internal/tarfile/destination.js';
import { TarStreamWriter } from '../internal/tarfile/writer.js';
import type { ImageDestination, ImageReference } from '../types.js';
import { DockerEngineClient } from './client.js';

/**
 * A docker-daemon destination: the docker save tarball is produced while
 * blobs arrive and streamed as the body of `POST /images/load`, which starts
 * at once. commit() ends the body and waits for the engine's verdict;
 * closing without commit aborts the request, so the engine loads nothing.
 * Layers keep their compression (docker load accepts gzip layers).
 */
export async function newDockerDaemonDestination(
  reference: ImageReference,
  tag: DockerReference,
  sys: SystemContext,
): Promise<ImageDestination> {
  const client = new DockerEngineClient(sys.dockerHost);
  const spoolDir = await mkdtemp(join(tmpdir(), 'imgsign-daemon-'));
  const body = new PassThrough();
  const load = client.imageLoad(body);
  // An early refusal stops the producer instead of letting it block.
  load.catch((err: Error) => body.destroy(err));
  return new TarfileImageDestination({
    reference,
    writer: new TarStreamWriter(body),
    repoTags: [tag],
    decompressLayers: false,
    spoolDir,
    publish: async () => {
      try {
        await load;
      } finally {
        await client.close();
      }
    },
    discard: async () => {
      body.destroy(new Error('aborted: destination closed without commit'));
      await load.catch(() => undefined);
      await client.close();
    },
  });
}
