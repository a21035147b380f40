import { describe, expect, it } from 'vitest';
import {
  answerSignatures,
  withScriptedExtensionAPI,
} from './hostile-extension-api.js';

describe('when a signature with the same content is already stored', () => {
  it('is never sent again', async () => {
    const digest = `sha256:${'4'.repeat(64)}`;
    const existing = Buffer.from('already-there');
    const methods: string[] = [];
    await withScriptedExtensionAPI(
      (req, _b, res) => {
        methods.push(req.method ?? '');
        if (req.method === 'GET') {
          answerSignatures(res, [
            {
              schemaVersion: 2,
              type: 'atomic',
              name: `${digest}@${'a'.repeat(32)}`,
              content: existing.toString('base64'),
            },
          ]);
          return;
        }
        res.writeHead(201).end();
      },
      async ({ store, ref }) => {
        const written = await store.add(ref, digest, [
          Buffer.from(existing),
          Buffer.from(existing),
        ]);
        expect(written).toEqual([]);
        expect(methods).toEqual(['GET']);
      },
    );
  });
});
