import { describe, expect, it } from 'vitest';
import {
  answerSignatures,
  withScriptedExtensionAPI,
} from './hostile-extension-api.js';

describe('when the signature list is larger than 4 MiB', () => {
  it('is rejected without being parsed', async () => {
    await withScriptedExtensionAPI(
      (_q, _b, res) => {
        const content = 'A'.repeat(5 * 1024 * 1024);
        answerSignatures(res, [
          { schemaVersion: 2, type: 'atomic', name: 'x', content },
        ]);
      },
      async ({ store, ref }) => {
        await expect(
          store.read(ref, `sha256:${'e'.repeat(64)}`),
        ).rejects.toMatchObject({
          code: 'REGISTRY_HTTP',
          message: expect.stringContaining(
            `is larger than ${4 * 1024 * 1024} bytes`,
          ),
        });
      },
    );
  });
});
