import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/paths.js';
import { describeWithPeers } from '../helpers/peers.js';
import { startPodmanService, type PodmanService } from '../servers/podman.js';
import {
  makeImage,
  writeDirImage,
} from '../unit/transports/tarfile/image-builder.js';

const run = promisify(execFile);

describeWithPeers(
  'imgsign copy to and from docker-daemon: (podman, DOCKER_HOST)',
  ['podman', 'skopeo'],
  () => {
    let podman: PodmanService;
    beforeAll(async () => {
      podman = await startPodmanService();
    });
    afterAll(async () => {
      await podman?.stop();
    });

    it('copies dir: → docker-daemon: → docker-archive: with the same layers', async () => {
      const env = { DOCKER_HOST: podman.dockerHost };
      const dir = await tempDir();
      const image = await makeImage([{ 'c.txt': 'cli' }, { 'd.txt': 'two' }]);
      await writeDirImage(join(dir, 'src'), image);

      const load = await runCli(
        [
          'copy',
          `dir:${join(dir, 'src')}`,
          'docker-daemon:example.com/cli/app:v1',
        ],
        { env },
      );
      expect(load.stderr).toBe('');
      expect(load.code).toBe(0);

      const archive = join(dir, 'out.tar');
      const save = await runCli(
        [
          'copy',
          '--json',
          'docker-daemon:example.com/cli/app:v1',
          `docker-archive:${archive}:example.com/cli/app:v1`,
        ],
        { env },
      );
      expect(save.code).toBe(0);
      const { stdout } = await run('skopeo', [
        'inspect',
        `docker-archive:${archive}`,
      ]);
      expect((JSON.parse(stdout) as { Layers: string[] }).Layers).toEqual(
        image.diffIDs,
      );
    });

    it('refuses to copy signatures into the daemon unless they are removed', async () => {
      const env = { DOCKER_HOST: podman.dockerHost };
      const dir = await tempDir();
      const image = await makeImage([{ 's.txt': 'signed' }]);
      await writeDirImage(join(dir, 'src'), image);
      await writeFile(join(dir, 'src', 'signature-1'), 'not checked here');
      const refused = await runCli(
        [
          'copy',
          `dir:${join(dir, 'src')}`,
          'docker-daemon:example.com/cli/signed:v1',
        ],
        { env },
      );
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toMatch(
        /Can not copy signatures to docker-daemon:example.com\/cli\/signed:v1/,
      );
      const missing = await runCli(
        [
          'copy',
          'docker-daemon:example.com/cli/signed:v1',
          `dir:${join(dir, 'never')}`,
        ],
        { env },
      );
      expect(missing.stderr).toMatch(/image not known|No such image|HTTP 404/);

      const removed = await runCli(
        [
          'copy',
          '--remove-signatures',
          `dir:${join(dir, 'src')}`,
          'docker-daemon:example.com/cli/signed:v1',
        ],
        { env },
      );
      expect(removed.code).toBe(0);
    });
  },
);
