import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/paths.js';
import { openHostileArchive } from './hostile-archive.js';

describe('when manifest.json names layer or config files outside the archive', () => {
  it.each([
    [
      'a layer "../outside.tar"',
      { Layers: ['../outside.tar'] },
      /contains "\.\."/,
    ],
    [
      'the config as an absolute path',
      { Config: '/etc/passwd' },
      /absolute path/,
    ],
  ])('refuses %s without reading it', async (_, override, message) => {
    const dir = await tempDir();
    // A real file where the escaping path would land: it must never be served.
    await writeFile(join(dir, 'outside.tar'), 'secret');
    await expect(
      openHostileArchive((entries) => {
        const manifest = entries.find((e) => e.name === 'manifest.json')!;
        const item = (JSON.parse(String(manifest.data)) as object[])[0]!;
        return [
          ...entries.filter((e) => e !== manifest),
          {
            name: 'manifest.json',
            data: JSON.stringify([{ ...item, ...override }]),
          },
        ];
      }, dir),
    ).rejects.toMatchObject({
      code: 'UNSAFE_PATH',
      message: expect.stringMatching(message),
    });
  });
});
