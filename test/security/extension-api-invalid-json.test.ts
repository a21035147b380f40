import { describe, expect, it } from 'vitest';
import { withScriptedExtensionAPI } from './hostile-extension-api.js';

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
    await withScriptedExtensionAPI(
      (_q, _b, res) => {
        res.writeHead(200, { 'content-type': 'application/json' }).end(body);
      },
      async ({ store, ref, host }) => {
        await expect(
          store.read(ref, `sha256:${'f'.repeat(64)}`),
        ).rejects.toMatchObject({
          code: 'REGISTRY_HTTP',
          message: expect.stringMatching(
            new RegExp(
              `^reading signatures of ${host}/a@sha256:f+ from .*: ${why.replace(/[[\]"]/g, '.')}$`,
            ),
          ),
        });
      },
    );
  });
});
