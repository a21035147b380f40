import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRegistriesConfig } from '../../../src/registries-d/load.js';
import { parseNormalizedNamed } from '../../../src/reference/docker-reference.js';
import { LookasideStore } from '../../../src/signature-storage/lookaside.js';
import { signatureStoreFor } from '../../../src/signature-storage/select.js';
import { tempDir } from '../../helpers/paths.js';
import { startHttpServer } from '../../servers/static-http.js';

describe('choosing the signature store', () => {
  it('uses the registries.d lookaside when the registry does not advertise the extension API', async () => {
    const server = await startHttpServer((_req, res) => {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="x"' }).end();
    });
    try {
      const host = server.url.replace('http://', '');
      const conf = await tempDir();
      await writeFile(
        join(conf, 'a.yaml'),
        `docker:\n  ${host}:\n    lookaside: file:///srv/sigs\n`,
      );
      const ref = parseNormalizedNamed(`${host}/team/app:1`);
      const store = await signatureStoreFor(ref, {
        sys: {},
        registriesConfig: await loadRegistriesConfig(conf),
      });
      expect(store).toBeInstanceOf(LookasideStore);
      expect(store.describe(ref, `sha256:${'1'.repeat(64)}`)).toBe(
        `lookaside file:///srv/sigs/team/app@sha256=${'1'.repeat(64)}/`,
      );
    } finally {
      await server.close();
    }
  });

  it('fails when the registry cannot be pinged, instead of silently using the lookaside', async () => {
    const server = await startHttpServer((_req, res) => {
      res.writeHead(500).end();
    });
    try {
      const host = server.url.replace('http://', '');
      await expect(
        signatureStoreFor(parseNormalizedNamed(`${host}/a:1`), {
          sys: {},
          registriesConfig: await loadRegistriesConfig(await tempDir()),
        }),
      ).rejects.toMatchObject({ code: 'INCONCLUSIVE' });
    } finally {
      await server.close();
    }
  });
});
