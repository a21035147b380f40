import { describe, expect, it } from 'vitest';
import {
  answerSignatures,
  withScriptedExtensionAPI,
} from './hostile-extension-api.js';

describe('when an atomic entry has content that is not standard base64', () => {
  it.each([['!!!!'], ['abc'], ['YW Jj'], ['YWJj-_=='], [42], [null]])(
    'content %j is an error',
    async (content) => {
      await withScriptedExtensionAPI(
        (_q, _b, res) =>
          answerSignatures(res, [
            { schemaVersion: 2, type: 'atomic', name: 'n', content },
          ]),
        async ({ store, ref }) => {
          await expect(
            store.read(ref, `sha256:${'2'.repeat(64)}`),
          ).rejects.toMatchObject({
            code: 'REGISTRY_HTTP',
            message: expect.stringContaining(
              'signature entry 0 has content that is not standard base64',
            ),
          });
        },
      );
    },
  );
});
