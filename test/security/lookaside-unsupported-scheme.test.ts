import { describe, expect, it } from 'vitest';
import { REF, lookasideStore } from './hostile-lookaside.js';

describe('when the lookaside base URL has an unsupported scheme', () => {
  it.each(['ftp://example.com/sigs', 'javascript:alert(1)', 'data:,x'])(
    'refuses %s',
    async (url) => {
      const { store } = await lookasideStore(url);
      await expect(
        store.read(REF, `sha256:${'1'.repeat(64)}`),
      ).rejects.toMatchObject({
        code: 'REGISTRIES_D_FORMAT',
        message: expect.stringMatching(
          /^unsupported scheme ".*" in lookaside URL \(lookaside .* of "default-docker" in .*a\.yaml\): use file:, http: or https:$/,
        ),
      });
    },
  );
});
