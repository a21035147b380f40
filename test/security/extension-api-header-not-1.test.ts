import { describe, expect, it } from 'vitest';
import { loadRegistriesConfig } from '../../src/registries-d/load.js';
import { parseNormalizedNamed } from '../../src/reference/docker-reference.js';
import { ExtensionAPIStore } from '../../src/signature-storage/extension-api.js';
import { LookasideStore } from '../../src/signature-storage/lookaside.js';
import { signatureStoreFor } from '../../src/signature-storage/select.js';
import { startScriptedRegistry } from '../servers/extension-api.js';
import { tempDir } from '../helpers/paths.js';

describe('when the registry advertises the extension API with a value other than 1', () => {
  it.each(['true', 'yes', '0', '1 ', '01', ''])(
    'header %j means "not supported": the lookaside is used',
    async (value) => {
      const server = await startScriptedRegistry((_q, _b, res) => {
        res.writeHead(500).end();
      }, value);
      try {
        const host = server.url.replace('http://', '');
        const store = await signatureStoreFor(
          parseNormalizedNamed(`${host}/a:1`),
          {
            sys: {},
            registriesConfig: await loadRegistriesConfig(await tempDir()),
          },
        );
        expect(store).toBeInstanceOf(LookasideStore);
      } finally {
        await server.close();
      }
    },
  );

  it('exactly "1" selects the extension API', async () => {
    const server = await startScriptedRegistry((_q, _b, res) => {
      res.writeHead(500).end();
    });
    try {
      const host = server.url.replace('http://', '');
      const store = await signatureStoreFor(
        parseNormalizedNamed(`${host}/a:1`),
        {
          sys: {},
          registriesConfig: await loadRegistriesConfig(await tempDir()),
        },
      );
      expect(store).toBeInstanceOf(ExtensionAPIStore);
    } finally {
      await server.close();
    }
  });
});
