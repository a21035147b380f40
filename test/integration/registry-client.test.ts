import { afterAll, beforeAll, expect, it } from 'vitest';
import { Agent } from 'undici';
import { describeWithPeers } from '../helpers/peers.js';
import { startRegistry, type TestRegistry } from '../servers/registry.js';
import { getRegistryClient } from '../../src/transports/docker/registry-client.js';
import type { SystemContext } from '../../src/system-context.js';

for (const auth of ['none', 'htpasswd', 'token'] as const) {
  describeWithPeers(
    `registry client against docker-registry (auth: ${auth})`,
    ['registry'],
    () => {
      let registry: TestRegistry;
      const dispatcher = new Agent({ keepAliveTimeout: 10 });
      const sys: SystemContext = { dispatcher };

      beforeAll(async () => {
        registry = await startRegistry({ auth });
      });
      afterAll(async () => {
        await registry?.stop();
        await dispatcher.close();
      });

      it('pings over plain http on loopback and reports no signature extension', async () => {
        const client = getRegistryClient({ registry: registry.host, sys });
        expect(await client.ping()).toEqual({
          scheme: 'http',
          supportsSignatures: false,
        });
      });

      it('reaches a repository with the configured credentials', async () => {
        const client = getRegistryClient({
          registry: registry.host,
          sys,
          ...(registry.username
            ? {
                credentials: {
                  username: registry.username,
                  password: registry.password!,
                },
              }
            : {}),
        });
        const res = await client.request({
          method: 'GET',
          path: '/v2/ns/repo/tags/list',
          repository: 'ns/repo',
          actions: ['pull'],
        });
        // An empty registry does not know the repository.
        expect(res.status).toBe(404);
        expect(JSON.parse(res.body.toString()).errors[0].code).toBe(
          'NAME_UNKNOWN',
        );
      });

      if (auth !== 'none') {
        it('is refused without credentials', async () => {
          const client = getRegistryClient({
            registry: registry.host,
            sys: { dispatcher },
          });
          const res = await client.request({
            method: 'GET',
            path: '/v2/ns/repo/tags/list',
            repository: 'ns/repo',
            actions: ['pull'],
          });
          expect(res.status).toBe(401);
        });
      }
    },
  );
}
