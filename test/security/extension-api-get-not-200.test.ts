import { describe, expect, it } from 'vitest';
import { parseNormalizedNamed } from '../../src/reference/docker-reference.js';
import { ExtensionAPIStore } from '../../src/signature-storage/extension-api.js';
import { getRegistryClient } from '../../src/transports/docker/registry-client.js';
import { startScriptedRegistry } from '../servers/extension-api.js';

const digest = `sha256:${'d'.repeat(64)}`;

describe('when GET of the signature list does not answer 200', () => {
  it.each([404, 403, 204, 400])(
    'status %i is an error, never "no signatures"',
    async (status) => {
      const server = await startScriptedRegistry((_q, _b, res) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(
          status === 204 ? undefined : JSON.stringify({ signatures: [] }),
        );
      });
      try {
        const host = server.url.replace('http://', '');
        const store = new ExtensionAPIStore(
          getRegistryClient({ registry: host, sys: {}, retryTimes: 0 }),
        );
        await expect(
          store.read(parseNormalizedNamed(`${host}/a:1`), digest),
        ).rejects.toMatchObject({
          code: 'REGISTRY_HTTP',
          status,
          message: expect.stringContaining(`: status ${status}`),
        });
      } finally {
        await server.close();
      }
    },
  );

  it('does not PUT anything when the initial GET fails', async () => {
    const methods: string[] = [];
    const server = await startScriptedRegistry((req, _b, res) => {
      methods.push(req.method ?? '');
      res.writeHead(500).end();
    });
    try {
      const host = server.url.replace('http://', '');
      const store = new ExtensionAPIStore(
        getRegistryClient({ registry: host, sys: {}, retryTimes: 0 }),
      );
      await expect(
        store.add(parseNormalizedNamed(`${host}/a:1`), digest, [
          Buffer.from('s'),
        ]),
      ).rejects.toMatchObject({ status: 500 });
      expect(methods).toEqual(['GET']);
    } finally {
      await server.close();
    }
  });
});
