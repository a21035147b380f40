import { describe, expect, it } from 'vitest';
import { parseNormalizedNamed } from '../../src/reference/docker-reference.js';
import { ExtensionAPIStore } from '../../src/signature-storage/extension-api.js';
import { getRegistryClient } from '../../src/transports/docker/registry-client.js';
import { startScriptedRegistry } from '../servers/extension-api.js';

describe('when the signature list is not the expected JSON', () => {
  it.each([
    ['not JSON', '<html>hello</html>', 'the body is not JSON'],
    ['truncated JSON', '{"signatures":[', 'the body is not JSON'],
    ['a JSON array', '[]', 'the body is not an object'],
    [
      'signatures not an array',
      '{"signatures":{"a":1}}',
      '"signatures" is not an array',
    ],
    [
      'an entry that is not an object',
      '{"signatures":["x"]}',
      'signature entry 0 is not an object',
    ],
  ])('%s is an error', async (_name, body, why) => {
    const server = await startScriptedRegistry((_q, _b, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    });
    try {
      const host = server.url.replace('http://', '');
      const store = new ExtensionAPIStore(
        getRegistryClient({ registry: host, sys: {} }),
      );
      await expect(
        store.read(
          parseNormalizedNamed(`${host}/a:1`),
          `sha256:${'f'.repeat(64)}`,
        ),
      ).rejects.toMatchObject({
        code: 'REGISTRY_HTTP',
        message: expect.stringMatching(
          new RegExp(
            `^reading signatures of ${host}/a@sha256:f+ from .*: ${why.replace(/[[\]"]/g, '.')}$`,
          ),
        ),
      });
    } finally {
      await server.close();
    }
  });
});
