import { execFile } from 'node:child_process';
import {
  chmod,
  mkdir,
  mkdtemp,
  readFile,
  rm,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadRegistriesConfig } from '../../src/registries-d/load.js';
import { parseNormalizedNamed } from '../../src/reference/docker-reference.js';
import { LookasideStore } from '../../src/signature-storage/lookaside.js';
import { signatureStoreFor } from '../../src/signature-storage/select.js';
import { repoRoot } from '../helpers/paths.js';
import { describeWithPeers } from '../helpers/peers.js';
import {
  type TestRegistry,
  freePort,
  startRegistry,
} from '../servers/registry.js';

const run = promisify(execFile);

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
    let work: string;
    let staging: string;
    let nginxConf: string;
    let nginxURL: string;
    let registriesD: string;
    let env: NodeJS.ProcessEnv;
    let fpr: string;
    let image: string;
    let digest: string;
    const policies: Record<'good' | 'other', string> = { good: '', other: '' };

    async function genKey(home: string, uid: string): Promise<string> {
      await mkdir(home, { mode: 0o700 });
      const e = { ...process.env, GNUPGHOME: home };
      await run(
        'gpg',
        [
          '--batch',
          '--passphrase',
          '',
          '--quick-gen-key',
          uid,
          'ed25519',
          'sign',
          'never',
        ],
        { env: e },
      );
      const { stdout } = await run(
        'gpg',
        ['--batch', '--with-colons', '--list-keys', uid],
        { env: e },
      );
      return (
        stdout
          .split('\n')
          .find((l) => l.startsWith('fpr:'))
          ?.split(':')[9] ?? ''
      );
    }

    async function policyFor(home: string, name: string): Promise<string> {
      const { stdout } = await run('gpg', ['--batch', '--export'], {
        env: { ...process.env, GNUPGHOME: home },
        encoding: 'buffer',
      });
      const keyPath = join(work, `${name}.gpg`);
      await writeFile(keyPath, stdout);
      const path = join(work, `${name}-policy.json`);
      await writeFile(
        path,
        JSON.stringify({
          default: [{ type: 'reject' }],
          transports: {
            docker: {
              [registry.host]: [
                { type: 'signedBy', keyType: 'GPGKeys', keyPath },
              ],
            },
          },
        }),
      );
      return path;
    }

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

    const skopeo = (args: string[]) => run('skopeo', args, { env });

    beforeAll(async () => {
      work = await mkdtemp(join(tmpdir(), 'imgsign-lookaside-'));
      await chmod(work, 0o755);
      staging = join(work, 'staging');
      await mkdir(staging);
      registry = await startRegistry();
      await startNginx();
      registriesD = join(work, 'registries.d');
      await mkdir(registriesD);
      await writeFile(
        join(registriesD, 'test.yaml'),
        `docker:\n  ${registry.host}:\n    lookaside: ${nginxURL}\n    lookaside-staging: file://${staging}\n`,
      );
      const home = join(work, 'gnupg');
      fpr = await genKey(home, 'signer@example.com');
      const otherHome = join(work, 'gnupg-other');
      await genKey(otherHome, 'other@example.com');
      env = { ...process.env, GNUPGHOME: home };
      policies.good = await policyFor(home, 'good');
      policies.other = await policyFor(otherHome, 'other');
      image = join(work, 'image');
      await run(process.execPath, [
        join(repoRoot, 'scripts/make-demo-image.js'),
        image,
      ]);
      digest = (
        await run('skopeo', ['manifest-digest', join(image, 'manifest.json')])
      ).stdout.trim();
    });

    afterAll(async () => {
      for (const home of ['gnupg', 'gnupg-other']) {
        await run('gpgconf', ['--kill', 'gpg-agent'], {
          env: { ...process.env, GNUPGHOME: join(work, home) },
        }).catch(() => undefined);
      }
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
      await rm(work, { recursive: true, force: true });
    });

    it('imgsign reads a skopeo --sign-by signature over http from nginx', async () => {
      await skopeo([
        '--insecure-policy',
        '--registries.d',
        registriesD,
        'copy',
        '--dest-tls-verify=false',
        '--sign-by',
        fpr,
        `dir:${image}`,
        `docker://${registry.host}/team/a:signed`,
      ]);
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
      await skopeo([
        '--insecure-policy',
        '--registries.d',
        registriesD,
        'copy',
        '--dest-tls-verify=false',
        `dir:${image}`,
        `docker://${registry.host}/team/b:v1`,
      ]);
      const sigPath = join(work, 'b.sig');
      await skopeo([
        'standalone-sign',
        '-o',
        sigPath,
        join(image, 'manifest.json'),
        `${registry.host}/team/b:v1`,
        fpr,
      ]);
      const store = new LookasideStore({
        config: await loadRegistriesConfig(registriesD),
        sys: {},
      });
      const ref = parseNormalizedNamed(`${registry.host}/team/b:v1`);
      expect(await store.add(ref, digest, [await readFile(sigPath)])).toEqual([
        `file://${staging}/team/b@${digest.replace(':', '=')}/signature-1`,
      ]);
      await skopeo([
        '--policy',
        policies.good,
        '--registries.d',
        registriesD,
        'copy',
        '--src-tls-verify=false',
        `docker://${registry.host}/team/b:v1`,
        `dir:${join(work, 'pulled-good')}`,
      ]);
      await expect(
        skopeo([
          '--policy',
          policies.other,
          '--registries.d',
          registriesD,
          'copy',
          '--src-tls-verify=false',
          `docker://${registry.host}/team/b:v1`,
          `dir:${join(work, 'pulled-other')}`,
        ]),
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
