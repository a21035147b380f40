import { describe, expect, it } from 'vitest';
import { loadRegistriesConfig } from '../../src/registries-d/load.js';
import { parseNormalizedNamed } from '../../src/reference/docker-reference.js';
import type { SignatureStore } from '../../src/signature-storage/store.js';
import { ExtensionAPIStore } from '../../src/signature-storage/extension-api.js';
import { LookasideStore } from '../../src/signature-storage/lookaside.js';
import { signatureStoreFor } from '../../src/signature-storage/select.js';
import { startScriptedRegistry } from '../servers/extension-api.js';
import { tempDir } from '../helpers/paths.js';

/** The store chosen for a registry whose /v2/ sends `header` (undefined: the server's default, "1"). */
async function storeChosenFor(header?: string): Promise<SignatureStore> {
  const server = await startScriptedRegistry((_q, _b, res) => {
    res.writeHead(500).end();
  }, header);
  try {
    const host = server.url.replace('http://', '');
    return await signatureStoreFor(parseNormalizedNamed(`${host}/a:1`), {
      sys: {},
      registriesConfig: await loadRegistriesConfig(await tempDir()),
    });
  } finally {
    await server.close();
  }
}

describe('when the registry advertises the extension API with a value other than 1', () => {
  it.each(['true', 'yes', '0', '1 ', '01', ''])(
    'header %j means "not supported": the lookaside is used',
    async (value) => {
      expect(await storeChosenFor(value)).toBeInstanceOf(LookasideStore);
    },
  );

  it('exactly "1" selects the extension API', async () => {
    expect(await storeChosenFor()).toBeInstanceOf(ExtensionAPIStore);
  });
});
