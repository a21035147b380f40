import { describe, expect, it } from 'vitest';
import { withScriptedExtensionAPI } from './hostile-extension-api.js';

describe('when the registry answers a signature PUT with anything but 201', () => {
  it.each([200, 202, 204, 409, 400])(
    'status %i is an error',
    async (status) => {
      await withScriptedExtensionAPI(
        (req, _b, res) => {
          if (req.method === 'GET') {
            res
              .writeHead(200, { 'content-type': 'application/json' })
              .end('{"signatures":[]}');
            return;
          }
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(
            status >= 400
              ? JSON.stringify({
                  errors: [{ code: 'SIGNATURE_EXISTS', message: 'exists' }],
                })
              : undefined,
          );
        },
        async ({ store, ref }) => {
          await expect(
            store.add(ref, `sha256:${'3'.repeat(64)}`, [Buffer.from('s')]),
          ).rejects.toMatchObject({
            code: 'REGISTRY_HTTP',
            status,
            message: expect.stringContaining(
              `: status ${status} (expected 201)`,
            ),
          });
        },
        { retryTimes: 0 },
      );
    },
  );
});
