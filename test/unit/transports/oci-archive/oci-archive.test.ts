import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { extract } from 'tar-stream';
import { createReadStream } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { copyImage } from '../../../../src/copy/copy.js';
import { parseImageName } from '../../../../src/transports/all.js';
import { safeEntryPath } from '../../../../src/transports/oci-archive/extract.js';
import { makeDirImage, sha256 } from '../../../fixtures/make-images.js';
import { tempDir } from '../../../helpers/paths.js';

const sys = {};
const copy = (from: string, to: string) =>
  copyImage({
    source: parseImageName(from),
    destination: parseImageName(to),
    sys,
  });

async function entryNames(archive: string): Promise<string[]> {
  const ex = extract();
  createReadStream(archive).pipe(ex);
  const names: string[] = [];
  for await (const e of ex) {
    names.push(e.header.name);
    e.resume();
  }
  return names;
}

describe('oci-archive:', () => {
  it('writes a tar of an OCI layout and reads it back with the same digests', async () => {
    const t = await tempDir();
    const img = await makeDirImage(join(t, 'src'), { format: 'oci' });
    await copy(`dir:${t}/src`, `oci-archive:${t}/a.tar:tag`);
    const names = await entryNames(join(t, 'a.tar'));
    expect(names).toContain('oci-layout');
    expect(names).toContain('index.json');
    expect(names).toContain(`blobs/sha256/${img.manifestDigest.slice(7)}`);
    const r = await copy(`oci-archive:${t}/a.tar:tag`, `dir:${t}/back`);
    expect(r.manifestDigest).toBe(img.manifestDigest);
    expect(await readFile(join(t, 'back/manifest.json'))).toEqual(img.manifest);
    for (const b of img.layers)
      expect(sha256(await readFile(join(t, 'back', b.digest.slice(7))))).toBe(
        b.digest,
      );
  });

  it('leaves no archive and no temporary files when not committed', async () => {
    const t = await tempDir();
    const dest = await parseImageName(
      `oci-archive:${t}/a.tar`,
    ).newImageDestination(sys);
    await dest.close();
    expect(existsSync(join(t, 'a.tar'))).toBe(false);
    expect(await readdir(t)).toEqual([]);
  });
});

describe('safeEntryPath', () => {
  it.each([
    ['./blobs/sha256/x', 'blobs/sha256/x'],
    ['index.json', 'index.json'],
    ['a//b/./c', 'a/b/c'],
    ['./', undefined],
  ])('accepts %s', (name, expected) => {
    expect(safeEntryPath('a.tar', name)).toBe(expected);
  });

  it.each(['/etc/passwd', '../x', 'a/../../x', 'a/..', '..'])(
    'rejects %s',
    (name) => {
      expect(() => safeEntryPath('a.tar', name)).toThrow(/refusing to extract/);
    },
  );
});
