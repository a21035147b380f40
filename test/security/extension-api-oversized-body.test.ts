import { describe, expect, it } from 'vitest';
import { parseNormalizedNamed } from '../../src/reference/docker-reference.js';
import { ExtensionAPIStore } from '../../src/signature-storage/extension-api.js';
import { getRegistryClient } from '../../src/transports/docker/registry-client.js';
import { startScriptedRegistry } from '../servers/extension-api.js';

describe('when the signature list is larger than 4 MiB', () => {
  it('is rejected without being parsed', async () => {
    const server = await startScriptedRegistry((_q, _b, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const content = 'A'.repeat(5 * 1024 * 1024);
      res.end(
        JSON.stringify({
          signatures: [
            { schemaVersion: 2, type: 'atomic', name: 'x', content },
          ],
        }),
      );
    });
    try {
      const host = server.url.replace('http://', '');
      const store = new ExtensionAPIStore(
        getRegistryClient({ registry: host, sys: {} }),
      );
      await expect(
        store.read(
          parseNormalizedNamed(`${host}/a:1`),
          `sha256:${'e'.repeat(64)}`,
        ),
      ).rejects.toMatchObject({
        code: 'REGISTRY_HTTP',
        message: expect.stringContaining(
          `is larger than ${4 * 1024 * 1024} bytes`,
        ),
      });
    } finally {
      await server.close();
    }
  });
});
