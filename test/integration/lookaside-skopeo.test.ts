import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadRegistriesConfig } from '../../src/registries-d/load.js';
import { parseNormalizedNamed } from '../../src/reference/docker-reference.js';
import { LookasideStore } from '../../src/signature-storage/lookaside.js';
import { signatureStoreFor } from '../../src/signature-storage/select.js';
import { describeWithPeers } from '../helpers/peers.js';
import {
  type TestRegistry,
  freePort,
  startRegistry,
} from '../servers/registry.js';
import {
  type SigningWorld,
  makeSigningWorld,
  registriesDir,
  removeSigningWorld,
  run,
  type SkopeoPeer,
  skopeoPeer,
  skopeoStandaloneSign,
} from './sign-push-setup.js';

/**
 * The lookaside against skopeo: skopeo --sign-by writes to a file: staging
 * directory that nginx publishes over http; imgsign reads those signatures
 * through nginx, and signatures imgsign writes are accepted by skopeo reading
 * through nginx under a signedBy policy (and rejected with another key).
 */
describeWithPeers(
  'lookaside (file staging, served by nginx) vs skopeo',
  ['skopeo', 'registry', 'gpg'],
  () => {
    let registry: TestRegistry;
    let world: SigningWorld;
    let work: string;
    let staging: string;
    let nginxConf: string;
    let nginxURL: string;
    let registriesD: string;
    let image: string;
    let digest: string;
    let peer: SkopeoPeer;

    /** nginx (daemon mode: the command returns once it listens), serving `staging` read-only. */
    async function startNginx(): Promise<void> {
      const port = await freePort();
      const prefix = join(work, 'nginx');
      await mkdir(prefix);
      nginxConf = join(prefix, 'nginx.conf');
      const temps = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
        .map((t) => `  ${t}_temp_path ${join(prefix, t)};\n`)
        .join('');
      await writeFile(
        nginxConf,
        `${process.getuid?.() === 0 ? 'user root;\n' : ''}pid ${join(prefix, 'nginx.pid')};\n` +
          `error_log ${join(prefix, 'error.log')};\nevents {}\n` +
          `http {\n  access_log off;\n${temps}  default_type application/octet-stream;\n` +
          `  server {\n    listen 127.0.0.1:${port};\n    root ${staging};\n  }\n}\n`,
      );
      await run('nginx', ['-p', prefix, '-c', nginxConf]);
      nginxURL = `http://127.0.0.1:${port}`;
    }

    beforeAll(async () => {
      registry = await startRegistry();
      world = await makeSigningWorld('imgsign-lookaside-', registry.host);
      ({ work, image, digest } = world);
      staging = join(work, 'staging');
      await mkdir(staging);
      await startNginx();
      registriesD = await registriesDir(
        join(work, 'registries.d'),
        `docker:\n  ${registry.host}:\n    lookaside: ${nginxURL}\n    lookaside-staging: file://${staging}\n`,
      );
      peer = skopeoPeer(world, registry.host, registriesD);
    });

    afterAll(async () => {
      if (nginxConf)
        await run('nginx', [
          '-p',
          join(work, 'nginx'),
          '-c',
          nginxConf,
          '-s',
          'stop',
        ]).catch(() => undefined);
      await registry?.stop();
      await removeSigningWorld(world);
    });

    it('imgsign reads a skopeo --sign-by signature over http from nginx', async () => {
      await peer.push('team/a:signed', true);
      const onDisk = await readFile(
        join(staging, `team/a@${digest.replace(':', '=')}/signature-1`),
      );
      const ref = parseNormalizedNamed(`${registry.host}/team/a:signed`);
      const store = await signatureStoreFor(ref, {
        sys: {},
        registriesConfig: await loadRegistriesConfig(registriesD),
        tlsVerify: false,
      });
      expect(store).toBeInstanceOf(LookasideStore);
      expect(store.describe(ref, digest)).toContain(
        `lookaside ${nginxURL}/team/a@`,
      );
      expect(await store.read(ref, digest)).toEqual([onDisk]);
    });

    it('skopeo accepts, through nginx, a signature imgsign stored; and rejects it with another key', async () => {
      await peer.push('team/b:v1', false);
      const sigPath = await skopeoStandaloneSign(
        world.good,
        image,
        `${registry.host}/team/b:v1`,
        join(work, 'b.sig'),
      );
      const store = new LookasideStore({
        config: await loadRegistriesConfig(registriesD),
        sys: {},
      });
      const ref = parseNormalizedNamed(`${registry.host}/team/b:v1`);
      expect(await store.add(ref, digest, [await readFile(sigPath)])).toEqual([
        `file://${staging}/team/b@${digest.replace(':', '=')}/signature-1`,
      ]);
      await peer.pull('good', 'team/b:v1', 'pulled-good');
      await expect(
        peer.pull('other', 'team/b:v1', 'pulled-other'),
      ).rejects.toMatchObject({ stderr: expect.stringMatching(/signature/i) });
    });

    it('an image with no signatures reads as [] over http (nginx 404)', async () => {
      const store = new LookasideStore({
        config: await loadRegistriesConfig(registriesD),
        sys: {},
      });
      const ref = parseNormalizedNamed(`${registry.host}/team/none:v1`);
      expect(await store.read(ref, digest)).toEqual([]);
    });
  },
);
