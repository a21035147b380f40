import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { copyImage } from '../../src/copy/copy.js';
import type { CopyOptions } from '../../src/copy/types.js';
import { parseImageName } from '../../src/transports/all.js';
import { makeDirImage, makeDirList, sha256 } from '../fixtures/make-images.js';
import { signatureFixtures, tempDir } from '../helpers/paths.js';
import { describeWithPeers } from '../helpers/peers.js';

const run = promisify(execFile);

async function skopeo(...args: string[]): Promise<Buffer> {
  const { stdout } = await run('skopeo', ['--insecure-policy', ...args], {
    encoding: 'buffer',
    maxBuffer: 64 << 20,
  });
  return stdout;
}

function copy(from: string, to: string, extra: Partial<CopyOptions> = {}) {
  return copyImage({
    source: parseImageName(from),
    destination: parseImageName(to),
    sys: {},
    ...extra,
  });
}

async function blobsMatch(dir: string, digests: string[]): Promise<void> {
  for (const d of digests)
    expect(sha256(await readFile(join(dir, d.slice(7))))).toBe(d);
}

describeWithPeers(
  'local transports interoperate with skopeo',
  ['skopeo'],
  () => {
    it('reads what skopeo writes to oci: and oci-archive:', async () => {
      const t = await tempDir();
      const img = await makeDirImage(join(t, 's'), {
        format: 'oci',
        layers: 3,
      });
      await skopeo('copy', '-q', `dir:${t}/s`, `oci:${t}/l:sk`);
      await skopeo('copy', '-q', `dir:${t}/s`, `oci-archive:${t}/a.tar:sk`);
      for (const src of [`oci:${t}/l:sk`, `oci-archive:${t}/a.tar:sk`]) {
        const out = join(
          t,
          `out-${src.startsWith('oci:') ? 'oci' : 'archive'}`,
        );
        const r = await copy(src, `dir:${out}`);
        expect(r.manifestDigest).toBe(img.manifestDigest);
        expect(await readFile(join(out, 'manifest.json'))).toEqual(
          img.manifest,
        );
        await blobsMatch(out, [
          img.config.digest,
          ...img.layers.map((l) => l.digest),
        ]);
      }
    });

    it('writes oci:, oci-archive: and dir: images that skopeo reads byte-identically', async () => {
      const t = await tempDir();
      const img = await makeDirImage(join(t, 's'), { format: 'oci' });
      for (const dest of [
        `oci:${t}/l:im`,
        `oci-archive:${t}/a.tar:im`,
        `dir:${t}/d`,
      ]) {
        await copy(`dir:${t}/s`, dest);
        expect(await skopeo('inspect', '--raw', dest)).toEqual(img.manifest);
        const out = join(t, `sk-${sha256(dest).slice(7, 15)}`);
        await skopeo('copy', '-q', dest, `dir:${out}`);
        expect(await readFile(join(out, 'manifest.json'))).toEqual(
          img.manifest,
        );
        await blobsMatch(out, [
          img.config.digest,
          ...img.layers.map((l) => l.digest),
        ]);
      }
      const inspected = JSON.parse(
        (await skopeo('inspect', `oci:${t}/l:im`)).toString(),
      ) as { Digest: string };
      expect(inspected.Digest).toBe(img.manifestDigest);
    });

    it('converts v2s2 to OCI to exactly the bytes skopeo produces', async () => {
      const t = await tempDir();
      await makeDirImage(join(t, 's'), { format: 'v2s2', layers: 2 });
      await skopeo('copy', '-q', `dir:${t}/s`, `oci:${t}/sk:x`);
      const r = await copy(`dir:${t}/s`, `oci:${t}/im:x`);
      expect(r.digestChanged).toBe(true);
      expect(await skopeo('inspect', '--raw', `oci:${t}/im:x`)).toEqual(
        await skopeo('inspect', '--raw', `oci:${t}/sk:x`),
      );
      expect(await readFile(join(t, 'im/index.json'), 'utf8')).toBe(
        await readFile(join(t, 'sk/index.json'), 'utf8'),
      );
    });

    it('carries signatures dir: → dir: the way skopeo does', async () => {
      const t = await tempDir();
      const sig = await readFile(join(signatureFixtures, 'image.signature'));
      await makeDirImage(join(t, 's'), { signatures: [sig] });
      await copy(`dir:${t}/s`, `dir:${t}/im`);
      await skopeo('copy', '-q', `dir:${t}/im`, `dir:${t}/sk`);
      expect(await readFile(join(t, 'sk/signature-1'))).toEqual(sig);
      expect(await readFile(join(t, 'im/signature-1'))).toEqual(sig);
    });

    it('copies a multi-platform list that skopeo then reads, and reads one skopeo wrote with --all', async () => {
      const t = await tempDir();
      const l = await makeDirList(
        join(t, 's'),
        [
          { os: 'linux', architecture: 'amd64' },
          { os: 'linux', architecture: 'arm64', variant: 'v8' },
        ],
        { format: 'oci' },
      );
      await copy(`dir:${t}/s`, `oci:${t}/im:list`, { all: true });
      expect(await skopeo('inspect', '--raw', `oci:${t}/im:list`)).toEqual(
        l.manifest,
      );
      await skopeo('copy', '-q', '--all', `oci:${t}/im:list`, `dir:${t}/sk`);
      const r = await copy(`dir:${t}/sk`, `dir:${t}/back`, { all: true });
      expect(r.manifestDigest).toBe(l.manifestDigest);
      for (const i of l.instances) {
        expect(
          await readFile(
            join(t, 'back', `${i.manifestDigest.slice(7)}.manifest.json`),
          ),
        ).toEqual(i.manifest);
      }
    });
  },
);
