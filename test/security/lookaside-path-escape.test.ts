import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DockerReference } from '../../src/reference/docker-reference.js';
import { tempDir } from '../helpers/paths.js';
import { lookasideStore } from './hostile-lookaside.js';

describe('when a reference path tries to leave the lookaside directory', () => {
  it.each([
    '../../escape',
    'a/../../escape',
    '/abs',
    'a//b',
    '.',
    'a/./b',
    'A/b',
  ])(
    'refuses repository path %j without touching the file system',
    async (path) => {
      const root = await tempDir();
      const { store } = await lookasideStore(`file://${join(root, 'base')}`);
      // Not obtainable from the parser: a hand-made object as a buggy caller might pass.
      const ref: DockerReference = { domain: 'q.io', path, tag: '1' };
      const digest = `sha256:${'8'.repeat(64)}`;
      await expect(
        store.add(ref, digest, [Buffer.from('x')]),
      ).rejects.toMatchObject({
        code: 'INVALID_REFERENCE',
        message: expect.stringContaining('is not valid for a lookaside path'),
      });
      await expect(store.read(ref, digest)).rejects.toMatchObject({
        code: 'INVALID_REFERENCE',
      });
      expect(await readdir(root)).toEqual([]);
    },
  );
});
