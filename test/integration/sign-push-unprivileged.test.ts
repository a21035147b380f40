import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  chmod,
  mkdir,
  mkdtemp,
  readdir,
  rm,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { repoRoot } from '../helpers/paths.js';
import { describeWithPeers } from '../helpers/peers.js';
import { type TestRegistry, startRegistry } from '../servers/registry.js';
import {
  type GpgKey,
  makeGpgKey,
  makeImage,
  stopGpgAgent,
} from './sign-push-setup.js';

const NOBODY = 65534;
const asRoot = process.geteuid?.() === 0;

/**
 * `imgsign copy --sign-by` by an unprivileged user whose configuration
 * (found by the default search: ~/.config/containers/registries.d) stages
 * signatures in a system directory, as distribution defaults do
 * (`sigstore-staging: file:///var/lib/containers/sigstore`): one clear line
 * naming the file, the scope and --registries.d; then --registries.d works.
 * As root, imgsign runs as nobody.
 */
describeWithPeers(
  'copy --sign-by as an unprivileged user',
  ['registry', 'gpg'],
  () => {
    let work: string;
    let registry: TestRegistry;
    let key: GpgKey;
    let image: string;
    let home: string;
    let systemDir: string;

    function imgsign(
      args: string[],
    ): Promise<{ code: number; stdout: string; stderr: string }> {
      return new Promise((resolve, reject) => {
        const child = spawn(
          process.execPath,
          [join(repoRoot, 'bin/run.js'), ...args],
          {
            cwd: work,
            env: {
              PATH: process.env['PATH'],
              HOME: home,
              IMGSIGN_HOME: join(home, 'imgsign'),
            },
            ...(asRoot ? { uid: NOBODY, gid: NOBODY } : {}),
          },
        );
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('error', reject);
        child.on('close', (code) =>
          resolve({ code: code ?? -1, stdout, stderr }),
        );
      });
    }

    beforeAll(async () => {
      work = await mkdtemp(join(tmpdir(), 'imgsign-unpriv-copy-'));
      await chmod(work, 0o755);
      registry = await startRegistry();
      key = await makeGpgKey(work, 'signer', 'Signer <signer@example.com>');
      await chmod(key.secretKeyFile, 0o644);
      image = join(work, 'image');
      await makeImage(image);
      // Not writable by the user running imgsign (root-owned 0755, or /).
      systemDir = asRoot ? join(work, 'var-lib') : '/';
      if (asRoot) await mkdir(systemDir, { mode: 0o755 });
      home = join(work, 'home');
      const conf = join(home, '.config/containers/registries.d');
      await mkdir(conf, { recursive: true });
      await writeFile(
        join(conf, 'default.yaml'),
        `default-docker:\n  sigstore-staging: file://${systemDir}/containers/sigstore\n`,
      );
      if (asRoot) await run(['chown', '-R', `${NOBODY}:${NOBODY}`, home]);
    });

    afterAll(async () => {
      await stopGpgAgent(key);
      await registry?.stop();
      if (work) await rm(work, { recursive: true, force: true });
    });

    it('gets one line naming the registries.d file and scope and --registries.d before anything is pushed, then succeeds with --registries.d', async () => {
      const args = (extra: string[]) => [
        'copy',
        '--insecure-policy',
        '--dest-tls-verify=false',
        '--sign-by-key-file',
        key.secretKeyFile,
        ...extra,
        `dir:${image}`,
        `docker://${registry.host}/team/app:v1`,
      ];
      const denied = await imgsign(args([]));
      expect(denied.code).not.toBe(0);
      const lines = denied.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^imgsign: cannot write signatures to /);
      expect(lines[0]).toContain(
        `sigstore-staging file://${systemDir}/containers/sigstore of "default-docker" in ${join(home, '.config/containers/registries.d/default.yaml')}`,
      );
      expect(lines[0]).toContain('--registries.d DIR');
      // Refused before pushing: the registry does not have the image.
      const manifest = () =>
        fetch(`${registry.url}/v2/team/app/manifests/v1`, {
          headers: {
            accept: 'application/vnd.docker.distribution.manifest.v2+json',
          },
        }).then((r) => r.status);
      expect(await manifest()).toBe(404);

      const mine = join(home, 'registries.d');
      await mkdir(mine);
      await writeFile(
        join(mine, 'mine.yaml'),
        `default-docker:\n  lookaside: file://${home}/sigstore\n`,
      );
      if (asRoot) await run(['chown', '-R', `${NOBODY}:${NOBODY}`, mine]);
      const ok = await imgsign(args(['--registries.d', mine]));
      expect(ok.stderr).toBe('');
      expect(ok.code).toBe(0);
      expect(ok.stdout).toContain(
        `to lookaside file://${home}/sigstore/team/app@`,
      );
      expect(await manifest()).toBe(200);
      const sigDirs = await readdir(join(home, 'sigstore/team'));
      expect(sigDirs).toHaveLength(1);
      expect(
        existsSync(join(home, 'sigstore/team', sigDirs[0]!, 'signature-1')),
      ).toBe(true);
    });
  },
);

function run(argv: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${argv[0]} exited ${code}`)),
    );
  });
}
