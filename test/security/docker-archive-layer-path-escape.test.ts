import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDockerArchiveReference } from '../../src/transports/docker-archive/reference.js';
import { tempDir } from '../helpers/paths.js';
import {
  validArchiveEntries,
  writeArchive,
} from '../unit/transports/tarfile/image-builder.js';

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
    const { entries } = await validArchiveEntries();
    const dir = await tempDir();
    // A real file where the escaping path would land: it must never be served.
    await writeFile(join(dir, 'outside.tar'), 'secret');
    const manifest = entries.find((e) => e.name === 'manifest.json')!;
    const item = (JSON.parse(String(manifest.data)) as object[])[0]!;
    const hostile = [
      ...entries.filter((e) => e !== manifest),
      {
        name: 'manifest.json',
        data: JSON.stringify([{ ...item, ...override }]),
      },
    ];
    const path = await writeArchive(join(dir), hostile);
    await expect(
      parseDockerArchiveReference(path).newImageSource({}),
    ).rejects.toMatchObject({
      code: 'UNSAFE_PATH',
      message: expect.stringMatching(message),
    });
  });
});
