import { describe, expect, it } from 'vitest';
import { REF, lookasideStore } from './hostile-lookaside.js';

describe('when the lookaside base URL has no scheme', () => {
  it.each(['/srv/sigs', 'srv/sigs', ':emptyscheme'])(
    'refuses %s for reading and writing, naming the file and scope',
    async (url) => {
      const { store, configFile } = await lookasideStore(url, 'q.io');
      const digest = `sha256:${'1'.repeat(64)}`;
      const want = {
        code: 'REGISTRIES_D_FORMAT',
        message: expect.stringContaining(
          `invalid lookaside URL "${url}" (lookaside ${url} of docker scope "q.io" in ${configFile})`,
        ),
      };
      await expect(store.read(REF, digest)).rejects.toMatchObject(want);
      await expect(
        store.add(REF, digest, [Buffer.from('x')]),
      ).rejects.toMatchObject(want);
    },
  );
});
