import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DockerEngineClient } from '../../src/transports/docker-daemon/client.js';
import { parseDockerDaemonReference } from '../../src/transports/docker-daemon/reference.js';
import type { SystemContext } from '../../src/system-context.js';
import { tempDir } from '../helpers/paths.js';
import { describeWithPeers } from '../helpers/peers.js';
import { startPodmanService, type PodmanService } from '../servers/podman.js';
import {
  makeImage,
  putImage,
  readImage,
  writeDirImage,
} from '../unit/transports/tarfile/image-builder.js';

const run = promisify(execFile);

describeWithPeers('docker-daemon: against podman', ['podman', 'skopeo'], () => {
  let podman: PodmanService;
  let sys: SystemContext;

  beforeAll(async () => {
    podman = await startPodmanService();
    sys = { dockerHost: podman.dockerHost };
  });
  afterAll(async () => {
    await podman?.stop();
  });

  it('loads an image (POST /images/load) and exports it back with the same digests', async () => {
    const image = await makeImage([{ 'a.txt': 'one' }, { 'b.txt': 'two' }]);
    const ref = parseDockerDaemonReference('example.com/imgsign/plain:v1');
    const dest = await ref.newImageDestination(sys);
    await putImage(dest, image);
    await dest.close();

    const src = await ref.newImageSource(sys);
    const back = await readImage(src);
    await src.close();
    expect(back.manifest.config.digest).toBe(image.config.digest);
    expect(back.manifest.layers.map((l) => l.digest)).toEqual(image.diffIDs);
    expect(back.layers.map((l) => l.digest)).toEqual(image.diffIDs);
  });

  it('loads gzip layers as they are and reads them back by DiffID', async () => {
    const image = await makeImage([{ 'z.txt': 'zipped' }], { gzip: true });
    const ref = parseDockerDaemonReference('example.com/imgsign/gz:v1');
    const dest = await ref.newImageDestination(sys);
    await putImage(dest, image);
    await dest.close();
    const src = await ref.newImageSource(sys);
    const back = await readImage(src);
    await src.close();
    expect(back.layers.map((l) => l.digest)).toEqual(image.diffIDs);
  });

  it('is read by skopeo after imgsign loads it, and reads what skopeo loaded', async () => {
    const mine = await makeImage([{ 'm.txt': 'mine' }]);
    const dest = await parseDockerDaemonReference(
      'example.com/imgsign/for-skopeo:v1',
    ).newImageDestination(sys);
    await putImage(dest, mine);
    await dest.close();
    const { stdout } = await run('skopeo', [
      'inspect',
      '--daemon-host',
      podman.dockerHost,
      'docker-daemon:example.com/imgsign/for-skopeo:v1',
    ]);
    expect((JSON.parse(stdout) as { Layers: string[] }).Layers).toEqual(
      mine.diffIDs,
    );

    const theirs = await makeImage([{ 's.txt': 'skopeo' }, { 't.txt': '2' }]);
    const dir = join(await tempDir(), 'img');
    await writeDirImage(dir, theirs);
    await run('skopeo', [
      'copy',
      '--dest-daemon-host',
      podman.dockerHost,
      `dir:${dir}`,
      'docker-daemon:example.com/skopeo/img:v2',
    ]);
    const src = await parseDockerDaemonReference(
      'example.com/skopeo/img:v2',
    ).newImageSource(sys);
    const back = await readImage(src);
    await src.close();
    expect(back.manifest.config.digest).toBe(theirs.config.digest);
    expect(back.layers.map((l) => l.digest)).toEqual(theirs.diffIDs);
  });

  it('reads an image by its ID', async () => {
    const image = await makeImage([{ 'id.txt': 'by id' }]);
    const dest = await parseDockerDaemonReference(
      'example.com/imgsign/by-id:v1',
    ).newImageDestination(sys);
    await putImage(dest, image);
    await dest.close();
    const ref = parseDockerDaemonReference(image.config.digest);
    expect(ref.policyConfigurationIdentity()).toBe('');
    const src = await ref.newImageSource(sys);
    expect((await readImage(src)).manifest.config.digest).toBe(
      image.config.digest,
    );
    await src.close();
  });

  it('reports a missing image as not found', async () => {
    await expect(
      parseDockerDaemonReference('example.com/none:v0').newImageSource(sys),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('reports the engine refusing a load', async () => {
    const client = new DockerEngineClient(podman.dockerHost);
    try {
      await expect(
        client.imageLoad(Readable.from([Buffer.from('not a tar file')])),
      ).rejects.toThrow(/loading image: HTTP 500: failed to load image/);
    } finally {
      await client.close();
    }
  });

  it('fails the commit when the engine refuses the image, and closes cleanly', async () => {
    // A gzip layer is passed through compressed, so only the engine can
    // notice that it does not decompress to the config's DiffID.
    const image = await makeImage([{ 'r.txt': 'real' }], { gzip: true });
    const other = await makeImage([{ 'o.txt': 'other' }], { gzip: true });
    const layer = other.layers[0]!;
    const manifest = JSON.parse(image.manifest.toString()) as {
      layers: { digest: string; size: number }[];
    };
    manifest.layers = [
      {
        ...manifest.layers[0]!,
        digest: layer.digest,
        size: layer.bytes.length,
      },
    ];
    const ref = parseDockerDaemonReference('example.com/imgsign/refused:v1');
    const dest = await ref.newImageDestination(sys);
    await dest.putBlob(
      Readable.from([image.config.bytes]),
      { digest: image.config.digest, size: image.config.bytes.length },
      { isConfig: true },
    );
    await dest.putBlob(Readable.from([layer.bytes]), {
      digest: layer.digest,
      size: layer.bytes.length,
    });
    await dest.putManifest({
      bytes: Buffer.from(JSON.stringify(manifest)),
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    });
    await expect(dest.commit()).rejects.toThrow(
      /docker engine at .*(refused|HTTP 500)/,
    );
    await dest.close();
    await expect(ref.newImageSource(sys)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('loads nothing when closed without commit', async () => {
    const image = await makeImage([{ 'x.txt': 'never' }]);
    const ref = parseDockerDaemonReference('example.com/imgsign/aborted:v1');
    const dest = await ref.newImageDestination(sys);
    await dest.putBlob(
      Readable.from([image.config.bytes]),
      { digest: image.config.digest, size: image.config.bytes.length },
      { isConfig: true },
    );
    await dest.close();
    await expect(ref.newImageSource(sys)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});
