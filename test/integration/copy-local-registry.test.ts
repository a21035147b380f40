import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { copyImage } from '../../src/copy/copy.js';
import { parseImageName } from '../../src/transports/all.js';
import type { ImageReference } from '../../src/transports/types.js';
import { makeDirImage, makeDirList } from '../fixtures/make-images.js';
import { tempDir } from '../helpers/paths.js';
import { describeWithPeers } from '../helpers/peers.js';
import { runCli } from '../helpers/cli.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  startRegistry,
  startRegistryProxy,
  type ProxyTamper,
  type TestRegistry,
} from '../servers/registry.js';
import { readdir } from 'node:fs/promises';

const sys = { dockerTlsVerify: false } as object;
const run = promisify(execFile);

const ref = (name: string): ImageReference => parseImageName(name);

const copy = (from: string, to: string, extra = {}) =>
  copyImage({ source: ref(from), destination: ref(to), sys, ...extra });

describeWithPeers(
  'copy through a docker registry',
  ['registry', 'skopeo'],
  () => {
    let reg: TestRegistry;
    beforeAll(async () => {
      reg = await startRegistry();
    });
    afterAll(async () => {
      await reg?.stop();
    });

    it('round-trips dir → docker → oci → docker → dir with the same digests', async () => {
      const t = await tempDir();
      const img = await makeDirImage(join(t, 's'), {
        format: 'oci',
        layers: 3,
      });
      const r1 = await copy(`dir:${t}/s`, `docker://${reg.host}/a/b:1`);
      expect(r1.manifestDigest).toBe(img.manifestDigest);
      const r2 = await copy(`docker://${reg.host}/a/b:1`, `oci:${t}/l:x`);
      expect(r2.manifestDigest).toBe(img.manifestDigest);
      const r3 = await copy(`oci:${t}/l:x`, `docker://${reg.host}/c/d:2`);
      expect(r3.manifestDigest).toBe(img.manifestDigest);
      // Same registry: blobs are mounted from the source repository, not uploaded.
      const r4 = await copy(
        `docker://${reg.host}/a/b:1`,
        `docker://${reg.host}/e/f:3`,
      );
      expect(r4.blobs.every((b) => b.reused)).toBe(true);
      await copy(
        `docker://${reg.host}/c/d@${img.manifestDigest}`,
        `dir:${t}/back`,
      );
      expect(await readFile(join(t, 'back/manifest.json'))).toEqual(
        img.manifest,
      );
    });

    it('works from the CLI with skopeo flag syntax, and skopeo reads the result', async () => {
      const t = await tempDir();
      const img = await makeDirImage(join(t, 's'), { format: 'v2s2' });
      const dest = `docker://${reg.host}/cli/img:1`;
      const r = await runCli([
        'copy',
        '--dest-tls-verify=false',
        '--retry-times',
        '2',
        `dir:${t}/s`,
        dest,
      ]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(img.manifestDigest);
      const { stdout } = await run(
        'skopeo',
        ['inspect', '--raw', '--tls-verify=false', dest],
        { encoding: 'buffer' },
      );
      expect(stdout).toEqual(img.manifest);
      const back = await runCli([
        'copy',
        '--src-tls-verify=false',
        '--json',
        dest,
        `oci-archive:${t}/a.tar:x`,
      ]);
      expect(back.code).toBe(0);
      expect(JSON.parse(back.stdout)).toMatchObject({
        digestChanged: true,
        sourceManifestDigest: img.manifestDigest,
      });
    });

    for (const [what, tamper] of [
      [
        'a blob with the wrong digest',
        (b: Buffer): ProxyTamper => ({
          body: Buffer.from(b.map((x, i) => (i === 3 ? x ^ 1 : x))),
        }),
      ],
      [
        'a truncated blob',
        (b: Buffer): ProxyTamper => ({ cutAfter: b.length - 10 }),
      ],
    ] as const) {
      it(`leaves nothing at dir: or docker:// when the source registry serves ${what}`, async () => {
        const t = await tempDir();
        const img = await makeDirImage(join(t, 's'), {
          layers: 2,
          layerSize: 64 * 1024,
        });
        const repo = `bad/${what.replace(/[^a-z]/g, '')}`;
        await copy(`dir:${t}/s`, `docker://${reg.host}/${repo}:1`);
        const layerPath = `/v2/${repo}/blobs/${img.layers[1]!.digest}`;
        const proxy = await startRegistryProxy({
          target: reg.url,
          tamper: (method, path, body) =>
            method === 'GET' && path === layerPath ? tamper(body) : undefined,
        });
        try {
          await expect(
            copy(`docker://${proxy.host}/${repo}:1`, `dir:${t}/d`),
          ).rejects.toThrow();
          expect(await readdir(t)).toEqual(['s']);
          await expect(
            copy(
              `docker://${proxy.host}/${repo}:1`,
              `docker://${reg.host}/copied/${repo}:1`,
            ),
          ).rejects.toThrow();
          const probe = await parseImageName(
            `docker://${reg.host}/copied/${repo}:1`,
          ).newImageSource(sys);
          await expect(probe.getManifest()).rejects.toThrow();
          await probe.close();
        } finally {
          await proxy.stop();
        }
      });
    }

    it('copies a list with --all', async () => {
      const t = await tempDir();
      const l = await makeDirList(
        join(t, 's'),
        [
          { os: 'linux', architecture: 'amd64' },
          { os: 'linux', architecture: 'arm64' },
        ],
        { format: 'oci' },
      );
      const r = await copy(`dir:${t}/s`, `docker://${reg.host}/multi:1`, {
        all: true,
      });
      expect(r.manifestDigest).toBe(l.manifestDigest);
      const back = await copy(`docker://${reg.host}/multi:1`, `dir:${t}/back`, {
        all: true,
      });
      expect(back.instances.map((i) => i.digest)).toEqual(
        l.instances.map((i) => i.manifestDigest),
      );
    });
  },
);
