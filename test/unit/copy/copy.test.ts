import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { copyImage } from '../../../src/copy/copy.js';
import type { CopyOptions } from '../../../src/copy/types.js';
import { ImgsignError } from '../../../src/errors.js';
import type { ManifestBlob } from '../../../src/transports/types.js';
import { parseImageName } from '../../../src/transports/all.js';
import {
  makeDirImage,
  makeDirList,
  sha256,
} from '../../fixtures/make-images.js';
import { tempDir } from '../../helpers/paths.js';
import { wrapDestination, wrapSource, type DestStats } from './wrap.js';

const sys = {};
const ref = parseImageName;

function copy(from: string, to: string, extra: Partial<CopyOptions> = {}) {
  return copyImage({ source: ref(from), destination: ref(to), sys, ...extra });
}

describe('signatures', () => {
  it('carries signatures dir → dir unchanged, after the manifest bytes are kept', async () => {
    const t = await tempDir();
    const img = await makeDirImage(join(t, 's'), {
      signatures: [Buffer.from('sig-one'), Buffer.from('sig-two')],
    });
    const r = await copy(`dir:${t}/s`, `dir:${t}/d`);
    expect(r.signaturesWritten).toBe(2);
    expect(r.digestChanged).toBe(false);
    expect(await readFile(join(t, 'd/signature-1'), 'utf8')).toBe('sig-one');
    expect(await readFile(join(t, 'd/signature-2'), 'utf8')).toBe('sig-two');
    expect(await readFile(join(t, 'd/manifest.json'))).toEqual(img.manifest);
  });

  it('refuses a conversion that would invalidate signatures, unless they are removed', async () => {
    const t = await tempDir();
    await makeDirImage(join(t, 's'), {
      format: 'v2s2',
      signatures: [Buffer.from('sig')],
    });
    await expect(copy(`dir:${t}/s`, `oci:${t}/l:x`)).rejects.toThrow(
      /^Can not copy signatures to oci:.*would invalidate them; use --remove-signatures/,
    );
    await expect(
      copy(`dir:${t}/s`, `dir:${t}/d`, { format: 'oci' }),
    ).rejects.toThrow(/would invalidate them/);
    expect(existsSync(join(t, 'l'))).toBe(false);
    expect(existsSync(join(t, 'd'))).toBe(false);
    const r = await copy(`dir:${t}/s`, `dir:${t}/d`, {
      format: 'oci',
      removeSignatures: true,
    });
    expect(r.digestChanged).toBe(true);
    expect(r.signaturesWritten).toBe(0);
    expect(existsSync(join(t, 'd/signature-1'))).toBe(false);
  });

  it('refuses signatures to a destination that cannot store them', async () => {
    const t = await tempDir();
    await makeDirImage(join(t, 's'), {
      format: 'oci',
      signatures: [Buffer.from('sig')],
    });
    await expect(copy(`dir:${t}/s`, `oci:${t}/l:x`)).rejects.toThrow(
      /^Can not copy signatures to oci:.*does not store/,
    );
    const r = await copy(`dir:${t}/s`, `oci:${t}/l:x`, {
      removeSignatures: true,
    });
    expect(r.digestChanged).toBe(false);
  });

  it('signs the final (converted) manifest and appends to the carried signatures', async () => {
    const t = await tempDir();
    await makeDirImage(join(t, 's'), { format: 'v2s2', signatures: [] });
    const sign = vi.fn((m: Buffer, d: string) =>
      Promise.resolve(Buffer.from(`signed ${d} ${sha256(m)}`)),
    );
    const r = await copy(`dir:${t}/s`, `dir:${t}/d`, {
      format: 'oci',
      signers: [{ sign }],
    });
    expect(sign).toHaveBeenCalledTimes(1);
    const [bytes, digest] = sign.mock.calls[0]!;
    expect(sha256(bytes)).toBe(digest);
    expect(digest).toBe(r.manifestDigest);
    expect(await readFile(join(t, 'd/manifest.json'))).toEqual(bytes);
    expect(await readFile(join(t, 'd/signature-1'), 'utf8')).toBe(
      `signed ${digest} ${digest}`,
    );
    expect(r.signaturesCreated).toBe(1);
  });

  it('refuses to sign for a destination that cannot store signatures', async () => {
    const t = await tempDir();
    await makeDirImage(join(t, 's'), { format: 'oci' });
    const sign = vi.fn(() => Promise.resolve(Buffer.from('x')));
    await expect(
      copy(`dir:${t}/s`, `oci:${t}/l:x`, { signers: [{ sign }] }),
    ).rejects.toThrow(/Can not copy signatures/);
    expect(sign).not.toHaveBeenCalled();
  });

  it('carries list and per-instance signatures with --all', async () => {
    const t = await tempDir();
    const l = await makeDirList(
      join(t, 's'),
      [
        { os: 'linux', architecture: 'amd64' },
        { os: 'linux', architecture: 'arm64' },
      ],
      {
        signatures: [Buffer.from('list-sig')],
        instanceSignatures: [Buffer.from('inst-sig')],
      },
    );
    const r = await copy(`dir:${t}/s`, `dir:${t}/d`, { all: true });
    expect(r.signaturesWritten).toBe(3);
    expect(await readFile(join(t, 'd/signature-1'), 'utf8')).toBe('list-sig');
    for (const i of l.instances) {
      expect(
        await readFile(
          join(t, `d/${i.manifestDigest.slice(7)}.signature-1`),
          'utf8',
        ),
      ).toBe('inst-sig');
      expect(
        await readFile(join(t, `d/${i.manifestDigest.slice(7)}.manifest.json`)),
      ).toEqual(i.manifest);
    }
  });
});

describe('manifest lists and conversion', () => {
  it('converts a Docker list and its instances for an OCI layout with --all', async () => {
    const t = await tempDir();
    const l = await makeDirList(
      join(t, 's'),
      [
        { os: 'linux', architecture: 'amd64' },
        { os: 'linux', architecture: 'arm64' },
      ],
      { format: 'v2s2' },
    );
    const r = await copy(`dir:${t}/s`, `oci:${t}/l:x`, { all: true });
    expect(r.digestChanged).toBe(true);
    expect(r.manifestMediaType).toBe('application/vnd.oci.image.index.v1+json');
    const index = JSON.parse(
      await readFile(
        join(t, 'l/blobs/sha256', r.manifestDigest.slice(7)),
        'utf8',
      ),
    ) as {
      mediaType: string;
      manifests: { digest: string; mediaType: string; platform: unknown }[];
    };
    expect(index.manifests.map((m) => m.digest)).toEqual(
      r.instances.map((i) => i.digest),
    );
    expect(index.manifests.map((m) => m.platform)).toEqual(
      l.instances.map((i) => i.platform),
    );
    for (const [n, i] of r.instances.entries()) {
      expect(i.sourceDigest).toBe(l.instances[n]!.manifestDigest);
      expect(i.digest).not.toBe(i.sourceDigest);
      const m = await readFile(join(t, 'l/blobs/sha256', i.digest.slice(7)));
      expect(sha256(m)).toBe(i.digest);
      expect(JSON.parse(m.toString()).mediaType).toBe(
        'application/vnd.oci.image.manifest.v1+json',
      );
    }
  });

  it('keeps the list bytes when nothing needs converting, and refuses list signatures it would invalidate', async () => {
    const t = await tempDir();
    await makeDirList(join(t, 's'), [{ os: 'linux', architecture: 'amd64' }], {
      format: 'v2s2',
      signatures: [Buffer.from('list-sig')],
    });
    await expect(
      copy(`dir:${t}/s`, `dir:${t}/d`, { all: true, format: 'oci' }),
    ).rejects.toThrow(/would invalidate them/);
    const kept = await copy(`dir:${t}/s`, `dir:${t}/d`, {
      all: true,
      format: 'v2s2',
    });
    expect(kept.digestChanged).toBe(false);
    expect(kept.signaturesWritten).toBe(1);
  });

  it('signs only the list with signListOnly, else every instance and the list', async () => {
    const t = await tempDir();
    const l = await makeDirList(join(t, 's'), [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64' },
    ]);
    const signed: string[] = [];
    const signers = [
      {
        sign: (_m: Buffer, d: string) => (
          signed.push(d),
          Promise.resolve(Buffer.from(d))
        ),
      },
    ];
    await copy(`dir:${t}/s`, `dir:${t}/a`, {
      all: true,
      signers,
      signListOnly: true,
    });
    expect(signed).toEqual([l.manifestDigest]);
    signed.length = 0;
    const r = await copy(`dir:${t}/s`, `dir:${t}/b`, { all: true, signers });
    expect(signed.sort()).toEqual(
      [l.manifestDigest, ...l.instances.map((i) => i.manifestDigest)].sort(),
    );
    expect(r.signaturesCreated).toBe(3);
    expect(
      await readFile(
        join(t, 'b', `${l.instances[0]!.manifestDigest.slice(7)}.signature-1`),
        'utf8',
      ),
    ).toBe(l.instances[0]!.manifestDigest);
  });
});

describe('when a source serves bad blob data', () => {
  for (const [what, tamper] of [
    [
      'a blob with the wrong digest',
      (b: Buffer) => Buffer.from(b.map((x, i) => (i === 10 ? x ^ 1 : x))),
    ],
    ['a truncated blob', (b: Buffer) => b.subarray(0, b.length - 5)],
    [
      'a blob with extra bytes',
      (b: Buffer) => Buffer.concat([b, Buffer.from('junk')]),
    ],
  ] as const) {
    for (const dest of ['dir', 'oci', 'oci-archive'] as const) {
      it(`aborts on ${what} and leaves nothing at a new ${dest}: destination`, async () => {
        const t = await tempDir();
        const img = await makeDirImage(join(t, 's'), {
          format: 'oci',
          layers: 3,
        });
        const bad = img.layers[1]!.digest;
        const source = wrapSource(ref(`dir:${t}/s`), {
          tamper: (d, b) => (d === bad ? tamper(b) : undefined),
          reportSize: -1,
        });
        const target =
          dest === 'dir'
            ? `dir:${t}/d`
            : dest === 'oci'
              ? `oci:${t}/d:x`
              : `oci-archive:${t}/d.tar:x`;
        const err = await copyImage({
          source,
          destination: ref(target),
          sys,
        }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ImgsignError);
        expect((err as ImgsignError).code).toBe('DIGEST_MISMATCH');
        expect((err as Error).message).toContain(bad);
        expect((await readdir(t)).sort()).toEqual(['s']);
      });
    }
  }

  it('leaves an existing dir: image exactly as it was', async () => {
    const t = await tempDir();
    const old = await makeDirImage(join(t, 'd'), {
      signatures: [Buffer.from('old-sig')],
    });
    const img = await makeDirImage(join(t, 's'));
    const before = (await readdir(join(t, 'd'))).sort();
    const source = wrapSource(ref(`dir:${t}/s`), {
      tamper: (d, b) =>
        d === img.config.digest
          ? Buffer.concat([b, Buffer.from(' ')])
          : undefined,
    });
    await expect(
      copyImage({ source, destination: ref(`dir:${t}/d`), sys }),
    ).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    expect((await readdir(join(t, 'd'))).sort()).toEqual(before);
    expect(await readFile(join(t, 'd/manifest.json'))).toEqual(old.manifest);
    expect(await readFile(join(t, 'd/signature-1'), 'utf8')).toBe('old-sig');
  });

  it('leaves an existing OCI layout exactly as it was', async () => {
    const t = await tempDir();
    await makeDirImage(join(t, 'a'), { format: 'oci' });
    const img = await makeDirImage(join(t, 's'), { format: 'oci' });
    await copy(`dir:${t}/a`, `oci:${t}/l:a`);
    const before = (await readdir(join(t, 'l'), { recursive: true })).sort();
    const index = await readFile(join(t, 'l/index.json'));
    const source = wrapSource(ref(`dir:${t}/s`), {
      tamper: (d, b) =>
        d === img.layers[0]!.digest ? b.subarray(1) : undefined,
    });
    await expect(
      copyImage({ source, destination: ref(`oci:${t}/l:b`), sys }),
    ).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    expect((await readdir(join(t, 'l'), { recursive: true })).sort()).toEqual(
      before,
    );
    expect(await readFile(join(t, 'l/index.json'))).toEqual(index);
  });
});

describe('pipeline order and options', () => {
  it('runs the policy hook before any blob is read, and a refusal leaves nothing', async () => {
    const t = await tempDir();
    const img = await makeDirImage(join(t, 's'));
    const requests: string[] = [];
    const source = wrapSource(ref(`dir:${t}/s`), { blobRequests: requests });
    const verifySource = vi.fn(async (_src: unknown, _m: ManifestBlob) => {
      expect(requests).toEqual([]);
      return Promise.reject(
        new ImgsignError('POLICY_REQUIREMENT', 'rejected by policy'),
      );
    });
    await expect(
      copyImage({ source, destination: ref(`dir:${t}/d`), sys, verifySource }),
    ).rejects.toThrow('rejected by policy');
    expect(verifySource).toHaveBeenCalledTimes(1);
    expect(verifySource.mock.calls[0]![1]).toMatchObject({
      bytes: img.manifest,
    });
    expect(requests).toEqual([]);
    expect(existsSync(join(t, 'd'))).toBe(false);
  });

  it('checks the list and each instance with --all, only the chosen instance otherwise', async () => {
    const t = await tempDir();
    const l = await makeDirList(join(t, 's'), [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64' },
    ]);
    const seen: (string | undefined)[] = [];
    const verifySource = (_s: unknown, m: { bytes: Buffer }, inst?: string) => {
      seen.push(inst ?? `top ${sha256(m.bytes)}`);
      return Promise.resolve();
    };
    await copy(`dir:${t}/s`, `dir:${t}/all`, { all: true, verifySource });
    expect(seen).toEqual([
      `top ${l.manifestDigest}`,
      ...l.instances.map((i) => i.manifestDigest),
    ]);
    seen.length = 0;
    await copy(`dir:${t}/s`, `dir:${t}/one`, {
      platform: { os: 'linux', arch: 'arm64' },
      verifySource,
    });
    expect(seen).toEqual([l.instances[1]!.manifestDigest]);
  });

  it('never has more than `jobs` blob uploads in flight', async () => {
    const t = await tempDir();
    await makeDirImage(join(t, 's'), { layers: 6 });
    for (const jobs of [1, 2]) {
      const stats: DestStats = { inFlight: 0, maxInFlight: 0, puts: 0 };
      await copyImage({
        source: ref(`dir:${t}/s`),
        destination: wrapDestination(ref(`dir:${t}/d${jobs}`), stats),
        sys,
        jobs,
      });
      expect(stats.puts).toBe(7);
      expect(stats.maxInFlight).toBeLessThanOrEqual(jobs);
    }
  });

  it('stops the other in-flight blobs when one fails', async () => {
    const t = await tempDir();
    const img = await makeDirImage(join(t, 's'), { layers: 2 });
    let hanging: Readable | undefined;
    const source = wrapSource(ref(`dir:${t}/s`), {
      // The config never finishes on its own: only the abort can end it.
      serve: (d) => {
        if (d !== img.config.digest) return undefined;
        hanging = new Readable({ read() {} });
        hanging.push(Buffer.from('partial'));
        return hanging;
      },
      tamper: (d, b) =>
        d === img.layers[0]!.digest ? b.subarray(1) : undefined,
    });
    await expect(
      copyImage({ source, destination: ref(`dir:${t}/d`), sys, jobs: 2 }),
    ).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    expect(hanging?.destroyed).toBe(true);
    expect(await readdir(t)).toEqual(['s']);
  });

  it('retries a blob that failed with an I/O error when asked to', async () => {
    const t = await tempDir();
    const img = await makeDirImage(join(t, 's'));
    const flaky = (d: string, n: number) =>
      d === img.layers[0]!.digest && n === 1
        ? new ImgsignError('INCONCLUSIVE', 'connection reset')
        : undefined;
    await expect(
      copyImage({
        source: wrapSource(ref(`dir:${t}/s`), { fail: flaky }),
        destination: ref(`dir:${t}/a`),
        sys,
      }),
    ).rejects.toThrow('connection reset');
    const r = await copyImage({
      source: wrapSource(ref(`dir:${t}/s`), { fail: flaky }),
      destination: ref(`dir:${t}/b`),
      sys,
      retryTimes: 1,
    });
    expect(r.manifestDigest).toBe(img.manifestDigest);
  });

  it('reuses blobs already in an OCI layout', async () => {
    const t = await tempDir();
    await makeDirImage(join(t, 's'), { format: 'oci' });
    await copy(`dir:${t}/s`, `oci:${t}/l:a`);
    const r = await copy(`dir:${t}/s`, `oci:${t}/l:b`);
    expect(r.blobs.every((b) => b.reused)).toBe(true);
  });

  it('reports in a dry run what would happen and writes nothing', async () => {
    const t = await tempDir();
    const img = await makeDirImage(join(t, 's'), {
      format: 'v2s2',
      signatures: [Buffer.from('s')],
    });
    const r = await copy(`dir:${t}/s`, `dir:${t}/d`, {
      dryRun: true,
      format: 'oci',
      removeSignatures: true,
    });
    expect(r).toMatchObject({
      dryRun: true,
      digestChanged: true,
      sourceManifestDigest: img.manifestDigest,
      signaturesWritten: 0,
    });
    expect(r.blobs).toHaveLength(3);
    const kept = await copy(`dir:${t}/s`, `dir:${t}/d`, { dryRun: true });
    expect(kept).toMatchObject({
      digestChanged: false,
      manifestDigest: img.manifestDigest,
      signaturesCarried: 1,
    });
    expect((await readdir(t)).sort()).toEqual(['s']);
  });
});
