import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  cachedImage,
  staticImage,
} from '../../../src/policy/unparsed-image.js';
import { signatureFixtures as F } from '../../helpers/paths.js';
import { dirRef, dockerRef } from './helpers.js';

const M =
  'sha256:20bf21ed457b390829cdbeec8795a7bea1626991fda603e0d01b4e7f60427e55';
const OTHER = `sha256:${'2'.repeat(64)}`;

describe('cachedImage', () => {
  it('passes a manifest matching the digest in the reference', async () => {
    const bytes = await readFile(join(F, 'image.manifest.json'));
    const img = cachedImage(
      staticImage(dockerRef(`busybox@${M}`), { bytes, mediaType: '' }, []),
    );
    expect((await img.manifest()).bytes).toEqual(bytes);
  });

  it('rejects a manifest that does not match the reference digest', async () => {
    const bytes = await readFile(join(F, 'image.manifest.json'));
    const img = cachedImage(
      staticImage(dockerRef(`busybox@${OTHER}`), { bytes, mediaType: '' }, []),
    );
    await expect(img.manifest()).rejects.toThrow(
      `the manifest does not match the digest in the reference: expected ${OTHER}, got ${M}`,
    );
  });

  it('checks a list instance against its instance digest', async () => {
    const bytes = await readFile(join(F, 'image.manifest.json'));
    const inst = (digest: string) =>
      cachedImage({
        ...staticImage(dirRef('/x'), { bytes, mediaType: '' }, []),
        instanceDigest: digest,
      });
    expect((await inst(M).manifest()).bytes).toEqual(bytes);
    await expect(inst(OTHER).manifest()).rejects.toThrow(
      'does not match the digest of the list instance',
    );
  });

  it('fetches the manifest and signatures once, and reads signatureSource lazily', async () => {
    let fetched = 0;
    let where = 'before';
    const img = cachedImage({
      reference: dirRef('/x'),
      manifest: () => {
        fetched++;
        return Promise.resolve({ bytes: Buffer.from('{}'), mediaType: '' });
      },
      signatures: () => {
        fetched++;
        return Promise.resolve([]);
      },
      get signatureSource() {
        return where;
      },
    });
    await Promise.all([
      img.manifest(),
      img.manifest(),
      img.signatures(),
      img.signatures(),
    ]);
    expect(fetched).toBe(2);
    where = 'after';
    expect(img.signatureSource).toBe('after');
  });
});
