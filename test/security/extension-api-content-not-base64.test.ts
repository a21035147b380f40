import { describe, expect, it } from 'vitest';
import { parseNormalizedNamed } from '../../src/reference/docker-reference.js';
import { ExtensionAPIStore } from '../../src/signature-storage/extension-api.js';
import { getRegistryClient } from '../../src/transports/docker/registry-client.js';
import { startScriptedRegistry } from '../servers/extension-api.js';

describe('when an atomic entry has content that is not standard base64', () => {
  it.each([['!!!!'], ['abc'], ['YW Jj'], ['YWJj-_=='], [42], [null]])(
    'content %j is an error',
    async (content) => {
      const server = await startScriptedRegistry((_q, _b, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            signatures: [
              { schemaVersion: 2, type: 'atomic', name: 'n', content },
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
            `sha256:${'2'.repeat(64)}`,
          ),
        ).rejects.toMatchObject({
          code: 'REGISTRY_HTTP',
          message: expect.stringContaining(
            'signature entry 0 has content that is not standard base64',
          ),
        });
      } finally {
        await server.close();
      }
    },
  );
});
