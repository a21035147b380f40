import { describe, expect, it } from 'vitest';
import { parseNormalizedNamed } from '../../src/reference/docker-reference.js';
import { ExtensionAPIStore } from '../../src/signature-storage/extension-api.js';
import { getRegistryClient } from '../../src/transports/docker/registry-client.js';
import { startScriptedRegistry } from '../servers/extension-api.js';

describe('when the registry answers a signature PUT with anything but 201', () => {
  it.each([200, 202, 204, 409, 400])(
    'status %i is an error',
    async (status) => {
      const server = await startScriptedRegistry((req, _b, res) => {
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
      });
      try {
        const host = server.url.replace('http://', '');
        const store = new ExtensionAPIStore(
          getRegistryClient({ registry: host, sys: {}, retryTimes: 0 }),
        );
        await expect(
          store.add(
            parseNormalizedNamed(`${host}/a:1`),
            `sha256:${'3'.repeat(64)}`,
            [Buffer.from('s')],
          ),
        ).rejects.toMatchObject({
          code: 'REGISTRY_HTTP',
          status,
          message: expect.stringContaining(`: status ${status} (expected 201)`),
        });
      } finally {
        await server.close();
      }
    },
  );
});
