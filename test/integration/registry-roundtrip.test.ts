import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Agent } from 'undici';
import { describeWithPeers } from '../helpers/peers.js';
import { tempDir } from '../helpers/paths.js';
import {
  makeSmallImage,
  startRegistry,
  writeDirImage,
  type SmallImage,
  type TestRegistry,
} from '../servers/registry.js';
import { dockerTransport } from '../../src/transports/docker/docker-transport.js';
import type { DockerSystemContext } from '../../src/transports/docker/docker-system-context.js';
import type {
  ImageDestination,
  ImageSource,
} from '../../src/transports/types.js';

async function push(dest: ImageDestination, image: SmallImage): Promise<void> {
  for (const blob of [image.config, ...image.layers]) {
    const info = { digest: blob.digest, size: blob.bytes.length };
    if (await dest.tryReusingBlob(info)) continue;
    await dest.putBlob(Readable.from([blob.bytes]), info);
  }
  await dest.putManifest({
    bytes: image.manifest,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
  });
  await dest.commit();
}

async function readAll(
  src: ImageSource,
  digest: string,
  size: number,
): Promise<Buffer> {
  const { stream } = await src.getBlob({ digest, size });
  const chunks: Buffer[] = [];
  for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

/** Async: the token issuer runs in this process and must keep answering. */
const run = async (cmd: string, args: string[]): Promise<Buffer> =>
  (
    await promisify(execFile)(cmd, args, {
      encoding: 'buffer',
      maxBuffer: 1 << 24,
    })
  ).stdout;

const sha = (b: Buffer): string =>
  `sha256:${createHash('sha256').update(b).digest('hex')}`;

for (const auth of ['none', 'htpasswd', 'token'] as const) {
  describeWithPeers(
    `docker:// push and pull (auth: ${auth})`,
    ['registry', 'skopeo'],
    () => {
      let registry: TestRegistry;
      const dispatcher = new Agent({ keepAliveTimeout: 10 });
      let sys: DockerSystemContext;
      let image: SmallImage;
      const creds = (): string[] =>
        registry.username
          ? [`--creds=${registry.username}:${registry.password}`]
          : [];

      beforeAll(async () => {
        registry = await startRegistry({ auth });
        sys = {
          dispatcher,
          ...(registry.username
            ? {
                dockerCredentials: {
                  username: registry.username,
                  password: registry.password!,
                },
              }
            : {}),
        };
        image = await makeSmallImage(`layer for ${auth}\n`);
      });
      afterAll(async () => {
        await registry?.stop();
        await dispatcher.close();
      });

      it('pulls back exactly the manifest and blobs it pushed', async () => {
        const ref = dockerTransport.parseReference(
          `//${registry.host}/imgsign/round:v1`,
        );
        await push(await ref.newImageDestination(sys), image);
        const src = await ref.newImageSource(sys);
        const m = await src.getManifest();
        expect(m.bytes.equals(image.manifest)).toBe(true);
        expect(m.mediaType).toBe(
          'application/vnd.docker.distribution.manifest.v2+json',
        );
        const layer = image.layers[0]!;
        expect(sha(await readAll(src, layer.digest, layer.bytes.length))).toBe(
          layer.digest,
        );
        const byDigest = dockerTransport.parseReference(
          `//${registry.host}/imgsign/round@${image.manifestDigest}`,
        );
        expect(
          (
            await (await byDigest.newImageSource(sys)).getManifest()
          ).bytes.equals(image.manifest),
        ).toBe(true);
      });

      it('skopeo inspect --raw returns the bytes imgsign pushed', async () => {
        const raw = await run('skopeo', [
          'inspect',
          '--raw',
          '--tls-verify=false',
          ...creds(),
          `docker://${registry.host}/imgsign/round:v1`,
        ]);
        expect(raw.equals(image.manifest)).toBe(true);
      });

      it('reads an image that skopeo copy pushed', async () => {
        const other = await makeSmallImage(`pushed by skopeo (${auth})\n`);
        const dir = join(await tempDir(), 'img');
        await writeDirImage(dir, other);
        await run('skopeo', [
          'copy',
          '--dest-tls-verify=false',
          ...(registry.username
            ? [`--dest-creds=${registry.username}:${registry.password}`]
            : []),
          `dir:${dir}`,
          `docker://${registry.host}/skopeo/pushed:latest`,
        ]);
        const src = await dockerTransport
          .parseReference(`//${registry.host}/skopeo/pushed`)
          .newImageSource(sys);
        const m = await src.getManifest();
        expect(sha(m.bytes)).toBe(
          sha(
            Buffer.from(
              await run('skopeo', [
                'inspect',
                '--raw',
                '--tls-verify=false',
                ...creds(),
                `docker://${registry.host}/skopeo/pushed:latest`,
              ]),
            ),
          ),
        );
        const parsed = JSON.parse(m.bytes.toString()) as {
          layers: { digest: string; size: number }[];
        };
        const l = parsed.layers[0]!;
        expect(sha(await readAll(src, l.digest, l.size))).toBe(l.digest);
        expect(l.digest).toBe(other.layers[0]!.digest);
      });

      it('reuses blobs already in the destination and mounts from another repository', async () => {
        const dest = await dockerTransport
          .parseReference(`//${registry.host}/imgsign/mounted:v1`)
          .newImageDestination(sys);
        const layer = image.layers[0]!;
        const info = { digest: layer.digest, size: layer.bytes.length };
        const source = dockerTransport.parseReference(
          `//${registry.host}/imgsign/round:v1`,
        );
        expect(await dest.tryReusingBlob(info)).toBeUndefined();
        const mounted = await dest.tryReusingBlob(info, {
          sourceReference: source,
        });
        expect(mounted?.digest).toBe(layer.digest);
        expect(await dest.tryReusingBlob(info)).toEqual({ ...info });
      });

      it('uploads a blob of unknown size and digest in chunks', async () => {
        const dest = await dockerTransport
          .parseReference(`//${registry.host}/imgsign/chunked:v1`)
          .newImageDestination(sys);
        const bytes = Buffer.alloc(300_000, 7);
        const put = await dest.putBlob(
          Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]),
          {
            digest: '',
            size: -1,
          },
        );
        expect(put).toEqual({ digest: sha(bytes), size: bytes.length });
        expect(
          await dest.tryReusingBlob({ digest: sha(bytes), size: -1 }),
        ).toEqual({
          digest: sha(bytes),
          size: bytes.length,
        });
      });
    },
  );
}
