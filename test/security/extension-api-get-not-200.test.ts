import { describe, expect, it } from 'vitest';
import { withScriptedExtensionAPI } from './hostile-extension-api.js';

const digest = `sha256:${'d'.repeat(64)}`;

describe('when GET of the signature list does not answer 200', () => {
  it.each([404, 403, 204, 400])(
    'status %i is an error, never "no signatures"',
    async (status) => {
      await withScriptedExtensionAPI(
        (_q, _b, res) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(
            status === 204 ? undefined : JSON.stringify({ signatures: [] }),
          );
        },
        async ({ store, ref }) => {
          await expect(store.read(ref, digest)).rejects.toMatchObject({
            code: 'REGISTRY_HTTP',
            status,
            message: expect.stringContaining(`: status ${status}`),
          });
        },
        { retryTimes: 0 },
      );
    },
  );

  it('does not PUT anything when the initial GET fails', async () => {
    const methods: string[] = [];
    await withScriptedExtensionAPI(
      (req, _b, res) => {
        methods.push(req.method ?? '');
        res.writeHead(500).end();
      },
      async ({ store, ref }) => {
        await expect(
          store.add(ref, digest, [Buffer.from('s')]),
        ).rejects.toMatchObject({ status: 500 });
        expect(methods).toEqual(['GET']);
      },
      { retryTimes: 0 },
    );
  });
});
