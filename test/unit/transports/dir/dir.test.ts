import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { dirTransport } from '../../../../src/transports/dir/transport.js';
import {
  makeDirImage,
  makeDirList,
  sha256,
} from '../../../fixtures/make-images.js';
import { signatureFixtures, tempDir } from '../../../helpers/paths.js';

const sys = {};

describe('dir: references', () => {
  it('uses the resolved path as identity and its parents as namespaces', async () => {
    const t = await tempDir();
    await mkdir(join(t, 'real'));
    await symlink(join(t, 'real'), join(t, 'link'));
    const ref = dirTransport.parseReference(join(t, 'link', 'img'));
    expect(ref.stringWithinTransport()).toBe(join(t, 'link', 'img'));
    expect(ref.policyConfigurationIdentity()).toMatch(/\/real\/img$/);
    const ns = ref.policyConfigurationNamespaces();
    expect(ns[0]).toMatch(/\/real$/);
    expect(ns).not.toContain('/');
    expect(ref.dockerReference()).toBeUndefined();
  });

  it('validates policy scopes as absolute clean paths other than /', () => {
    expect(() =>
      dirTransport.validatePolicyConfigurationScope('/a/b'),
    ).not.toThrow();
    for (const bad of ['a/b', '/', '/a/../b', '/a/b/', '/a//b']) {
      expect(() =>
        dirTransport.validatePolicyConfigurationScope(bad),
      ).toThrow();
    }
  });

  it('rejects an empty path', () => {
    expect(() => dirTransport.parseReference('')).toThrow(/empty/);
  });
});

describe('dir: source', () => {
  it('reads the fixture image and its signature', async () => {
    const ref = dirTransport.parseReference(
      join(signatureFixtures, 'dir-img-valid-2'),
    );
    const src = await ref.newImageSource(sys);
    const m = await src.getManifest();
    expect(sha256(m.bytes)).toBe(
      'sha256:20bf21ed457b390829cdbeec8795a7bea1626991fda603e0d01b4e7f60427e55',
    );
    const sigs = await src.getSignatures();
    expect(sigs).toHaveLength(2);
    expect(sigs[0]).toEqual(
      await readFile(join(signatureFixtures, 'dir-img-valid-2/signature-1')),
    );
    await src.close();
  });

  it('stops reading signatures at the first missing number', async () => {
    const t = await tempDir();
    await makeDirImage(t, { signatures: [Buffer.from('one')] });
    await writeFile(join(t, 'signature-3'), 'three');
    const src = await dirTransport.parseReference(t).newImageSource(sys);
    expect((await src.getSignatures()).map(String)).toEqual(['one']);
  });

  it('reads list instances by digest and checks their bytes', async () => {
    const t = await tempDir();
    const l = await makeDirList(t, [{ os: 'linux', architecture: 'amd64' }]);
    const inst = l.instances[0]!;
    const src = await dirTransport.parseReference(t).newImageSource(sys);
    expect((await src.getManifest(inst.manifestDigest)).bytes).toEqual(
      inst.manifest,
    );
    await writeFile(
      join(t, `${inst.manifestDigest.slice(7)}.manifest.json`),
      '{"tampered":1}',
    );
    await expect(src.getManifest(inst.manifestDigest)).rejects.toThrow(
      /does not match/,
    );
  });

  it('reports a missing manifest as not found', async () => {
    const src = await dirTransport
      .parseReference(join(signatureFixtures, 'dir-img-no-manifest'))
      .newImageSource(sys);
    await expect(src.getManifest()).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});

describe('dir: destination', () => {
  it('round-trips blobs, manifest and signatures with the same digests', async () => {
    const t = await tempDir();
    const img = await makeDirImage(join(t, 'a'), {
      signatures: [Buffer.from('s1'), Buffer.from('s2')],
    });
    const src = await dirTransport
      .parseReference(join(t, 'a'))
      .newImageSource(sys);
    const dest = await dirTransport
      .parseReference(join(t, 'b'))
      .newImageDestination(sys);
    for (const b of [img.config, ...img.layers]) {
      const { stream } = await src.getBlob(b);
      await dest.putBlob(stream, b);
    }
    await dest.putManifest(await src.getManifest());
    await dest.putSignatures(await src.getSignatures());
    // Nothing is visible before commit().
    expect(existsSync(join(t, 'b'))).toBe(false);
    await dest.commit();
    await dest.close();
    const back = await dirTransport
      .parseReference(join(t, 'b'))
      .newImageSource(sys);
    expect(sha256((await back.getManifest()).bytes)).toBe(img.manifestDigest);
    expect((await back.getSignatures()).map(String)).toEqual(['s1', 's2']);
    for (const b of [img.config, ...img.layers]) {
      expect(sha256(await readFile(join(t, 'b', b.digest.slice(7))))).toBe(
        b.digest,
      );
    }
    expect(await readFile(join(t, 'b/version'), 'utf8')).toBe(
      'Directory Transport Version: 1.1\n',
    );
  });

  it('leaves nothing behind when closed without commit', async () => {
    const t = await tempDir();
    const dest = await dirTransport
      .parseReference(join(t, 'never'))
      .newImageDestination(sys);
    await dest.putBlob(Readable.from([Buffer.from('x')]), {
      digest: sha256('x'),
      size: 1,
    });
    await dest.close();
    expect(await readdir(t)).toEqual([]);
  });

  it('replaces an existing dir: image, dropping its old signatures', async () => {
    const t = await tempDir();
    await makeDirImage(join(t, 'old'), {
      signatures: [Buffer.from('a'), Buffer.from('b')],
    });
    const img = await makeDirImage(join(t, 'new'));
    const src = await dirTransport
      .parseReference(join(t, 'new'))
      .newImageSource(sys);
    const dest = await dirTransport
      .parseReference(join(t, 'old'))
      .newImageDestination(sys);
    for (const b of [img.config, ...img.layers])
      await dest.putBlob((await src.getBlob(b)).stream, b);
    await dest.putManifest(await src.getManifest());
    await dest.commit();
    await dest.close();
    const files = (await readdir(join(t, 'old'))).sort();
    expect(files).toEqual(
      [
        ...[img.config, ...img.layers].map((b) => b.digest.slice(7)),
        'manifest.json',
        'version',
      ].sort(),
    );
  });

  it('refuses to overwrite a non-empty directory that is not a dir: image', async () => {
    const t = await tempDir();
    await writeFile(join(t, 'precious.txt'), 'keep me');
    await expect(
      dirTransport.parseReference(t).newImageDestination(sys),
    ).rejects.toThrow(/not a dir: image/);
    expect(await readFile(join(t, 'precious.txt'), 'utf8')).toBe('keep me');
  });

  it('refuses blob and instance digests that are not valid digests', async () => {
    const t = await tempDir();
    const dest = await dirTransport
      .parseReference(join(t, 'd'))
      .newImageDestination(sys);
    await expect(
      dest.putBlob(Readable.from([]), { digest: 'sha256:../../x', size: 0 }),
    ).rejects.toThrow(/not a valid digest/);
    await expect(
      dest.putManifest(
        { bytes: Buffer.from('{}'), mediaType: '' },
        'sha256:../x',
      ),
    ).rejects.toThrow(/not a valid digest/);
    await dest.close();
  });
});
