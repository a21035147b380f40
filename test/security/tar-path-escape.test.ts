import { createWriteStream, existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { pack } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { parseImageName } from '../../src/transports/all.js';
import { tempDir } from '../helpers/paths.js';

interface Entry {
  name: string;
  type?: 'file' | 'symlink' | 'link' | 'character-device';
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  body?: string;
}

/** Write a tar whose entries are given verbatim (names are not sanitised by tar-stream). */
async function writeTar(path: string, entries: Entry[]): Promise<void> {
  const p = pack();
  const done = pipeline(p, createWriteStream(path));
  for (const { body, ...h } of entries) p.entry(h, body ?? '');
  p.finalize();
  await done;
}

const layout = [
  { name: 'oci-layout', body: '{"imageLayoutVersion":"1.0.0"}' },
  { name: 'index.json', body: '{"schemaVersion":2,"manifests":[]}' },
];

describe('oci-archive entries that try to escape the extraction directory', () => {
  const cases: [string, Entry[]][] = [
    ['a ../ path', [...layout, { name: '../escaped', body: 'x' }]],
    [
      'a nested ../ path',
      [...layout, { name: 'blobs/../../escaped', body: 'x' }],
    ],
    ['an absolute path', [...layout, { name: '/tmp/escaped-abs', body: 'x' }]],
    [
      'a symlink pointing up',
      [...layout, { name: 'blobs', type: 'symlink', linkname: '../' }],
    ],
    [
      'an absolute symlink',
      [...layout, { name: 'blobs', type: 'symlink', linkname: '/etc' }],
    ],
    [
      'a symlink to the root followed by ..',
      [
        ...layout,
        { name: 'self', type: 'symlink', linkname: '.' },
        { name: 'up', type: 'symlink', linkname: 'self/..' },
      ],
    ],
    [
      'a hard link to a file outside',
      [
        ...layout,
        { name: 'passwd', type: 'link', linkname: '../../../../etc/passwd' },
      ],
    ],
    [
      'a device node',
      [
        ...layout,
        { name: 'dev', type: 'character-device', devmajor: 1, devminor: 3 },
      ],
    ],
  ];

  for (const [what, entries] of cases) {
    it(`rejects ${what} and writes nothing outside`, async () => {
      const t = await tempDir();
      const archive = join(t, 'evil.tar');
      await writeTar(archive, entries);
      const err = await parseImageName(`oci-archive:${archive}`)
        .newImageSource({})
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'UNSAFE_PATH' });
      expect((err as Error).message).toMatch(/refusing to extract .*evil\.tar/);
      expect(await readdir(t)).toEqual(['evil.tar']);
      expect(existsSync('/tmp/escaped-abs')).toBe(false);
    });
  }

  it('accepts a downward symlink (so the checks are not simply "no links")', async () => {
    const t = await tempDir();
    const archive = join(t, 'ok.tar');
    await writeTar(archive, [
      ...layout,
      { name: 'alias.json', type: 'symlink', linkname: 'index.json' },
    ]);
    // The layout is valid but empty: reaching "holds 0 images" means extraction succeeded.
    await expect(
      parseImageName(`oci-archive:${archive}`).newImageSource({}),
    ).rejects.toThrow(/holds 0 images/);
  });
});
