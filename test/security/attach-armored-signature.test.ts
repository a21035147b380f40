import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { attachSignature } from '../../src/signatures/attach.js';
import { parseImageName } from '../../src/transports/all.js';
import { makeDirImage } from '../fixtures/make-images.js';
import { tempDir } from '../helpers/paths.js';

describe('when signatures attach is given something that is not a binary simple signature', () => {
  it.each([
    ['ASCII armor', Buffer.from('-----BEGIN PGP MESSAGE-----\n\nxx\n')],
    ['a sigstore signature', Buffer.from('\0sigstore-json\n{}')],
    ['an empty file', Buffer.alloc(0)],
    ['JSON claims, unsigned', Buffer.from('{"critical":{}}')],
  ])('refuses %s and stores nothing', async (_what, blob) => {
    const t = await tempDir();
    await makeDirImage(join(t, 'img'));
    await expect(
      attachSignature(parseImageName(`dir:${t}/img`), blob, [], {}),
    ).rejects.toMatchObject({
      code: 'INVALID_SIGNATURE',
      message: expect.stringMatching(/^not a simple signing signature: /),
    });
    expect(
      (await readdir(join(t, 'img'))).filter((n) => n.includes('signature')),
    ).toEqual([]);
  });
});
