import { describe, expect, it } from 'vitest';
import { parseNormalizedNamed } from '../../src/reference/docker-reference.js';
import { ExtensionAPIStore } from '../../src/signature-storage/extension-api.js';
import { getRegistryClient } from '../../src/transports/docker/registry-client.js';
import { startScriptedRegistry } from '../servers/extension-api.js';

describe('when a signature with the same content is already stored', () => {
  it('is never sent again', async () => {
    const digest = `sha256:${'4'.repeat(64)}`;
    const existing = Buffer.from('already-there');
    const methods: string[] = [];
    const server = await startScriptedRegistry((req, _b, res) => {
      methods.push(req.method ?? '');
      if (req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            signatures: [
              {
                schemaVersion: 2,
                type: 'atomic',
                name: `${digest}@${'a'.repeat(32)}`,
                content: existing.toString('base64'),
              },
            ],
          }),
        );
        return;
      }
      res.writeHead(201).end();
    });
    try {
      const host = server.url.replace('http://', '');
      const store = new ExtensionAPIStore(
        getRegistryClient({ registry: host, sys: {} }),
      );
      const written = await store.add(
        parseNormalizedNamed(`${host}/a:1`),
        digest,
        [Buffer.from(existing), Buffer.from(existing)],
      );
      expect(written).toEqual([]);
      expect(methods).toEqual(['GET']);
    } finally {
      await server.close();
    }
  });
});
