import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyImage } from '../../src/copy/copy.js';
import { ImgsignError } from '../../src/errors.js';
import {
  alreadyRetried,
  markRetried,
} from '../../src/transports/internal/retried.js';
import { parseImageName } from '../../src/transports/all.js';
import { makeDirImage } from '../fixtures/make-images.js';
import { tempDir } from '../helpers/paths.js';
import { wrapSource } from '../unit/copy/wrap.js';

/**
 * The pipeline retries a failed blob (--retry-times) unless its transport
 * already spent that budget on the same failure (markRetried): otherwise a
 * registry answering 500 would be asked (N+1)² times.
 */
describe('the blob retry budget', () => {
  it('marks only objects, and only those passed to markRetried', () => {
    const err = new ImgsignError('INCONCLUSIVE', 'x');
    expect(alreadyRetried(err)).toBe(false);
    expect(markRetried(err)).toBe(err);
    expect(alreadyRetried(err)).toBe(true);
    expect(alreadyRetried(new ImgsignError('INCONCLUSIVE', 'x'))).toBe(false);
    expect(alreadyRetried('text')).toBe(false);
  });

  for (const [name, make, tries] of [
    [
      'an unmarked failure is retried',
      () => new ImgsignError('REGISTRY_HTTP', 'HTTP 503'),
      3,
    ],
    [
      'a failure the transport already retried is not',
      () => markRetried(new ImgsignError('REGISTRY_HTTP', 'HTTP 503')),
      1,
    ],
  ] as const) {
    it(`${name} (retryTimes 2)`, async () => {
      const t = await tempDir();
      const img = await makeDirImage(join(t, 's'));
      const layer = img.layers[0]!.digest;
      const requests: string[] = [];
      const err = await copyImage({
        source: wrapSource(parseImageName(`dir:${t}/s`), {
          fail: (d) => (d === layer ? make() : undefined),
          blobRequests: requests,
        }),
        destination: parseImageName(`dir:${t}/d`),
        sys: {},
        retryTimes: 2,
      }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'REGISTRY_HTTP' });
      expect(requests.filter((d) => d === layer)).toHaveLength(tries);
    });
  }
});
