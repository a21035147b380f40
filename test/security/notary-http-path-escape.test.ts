import { describe, expect, it } from 'vitest';
import { NotaryNameError } from '../../src/notary/http-paths.js';
import { FAKE_GUN, withFakeNotaryStore } from '../helpers/notary.js';

// GUNs and role names end up in URL paths; ones from hostile metadata
// (delegation names) or input must not walk out of /v2/<gun>/_trust/tuf/.
describe('when a GUN, role or checksum would escape the notary URL path', () => {
  const badGUNs = [
    'example.com/*',
    'example.com/../admin',
    'example.com/./x',
    'example.com//x',
    '/example.com/x',
    'example.com/x?y=1',
    'example.com/x#frag',
    'example.com/%2e%2e/x',
    'example.com/x y',
    'example.com\\x',
    '',
  ];
  const badRoles = [
    '../root',
    'targets/../../v2',
    'targets/',
    'targets//x',
    'targets/Releases',
    'targets/a.b',
    'root.json',
    'targets/%2e%2e',
    'snapshot?x',
    `targets/${'a'.repeat(300)}`,
  ];

  it('refuses them before sending any request', async () => {
    await withFakeNotaryStore(
      (_req, res) => {
        res.writeHead(200);
        res.end('{}');
      },
      async (store, server) => {
        for (const gun of badGUNs) {
          await expect(
            store.get(gun, { role: 'root', maxBytes: 1024 }),
            gun,
          ).rejects.toBeInstanceOf(NotaryNameError);
          await expect(store.deleteTrustData(gun), gun).rejects.toBeInstanceOf(
            NotaryNameError,
          );
        }
        for (const role of badRoles) {
          await expect(
            store.get(FAKE_GUN, { role, maxBytes: 1024 }),
            role,
          ).rejects.toBeInstanceOf(NotaryNameError);
          await expect(
            store.publish(FAKE_GUN, [{ role, bytes: Buffer.from('{}') }]),
            role,
          ).rejects.toBeInstanceOf(NotaryNameError);
        }
        for (const checksum of [
          '../x',
          'ABCDEF'.repeat(11).slice(0, 64),
          'ab',
        ]) {
          await expect(
            store.get(FAKE_GUN, { role: 'snapshot', checksum, maxBytes: 1024 }),
            checksum,
          ).rejects.toBeInstanceOf(NotaryNameError);
        }
        for (const version of [0, -1, 1.5, Number.NaN]) {
          await expect(
            store.get(FAKE_GUN, { role: 'root', version, maxBytes: 1024 }),
            String(version),
          ).rejects.toBeInstanceOf(NotaryNameError);
        }
        await expect(
          store.getServerKey(FAKE_GUN, 'targets' as 'snapshot'),
        ).rejects.toBeInstanceOf(NotaryNameError);
        expect(server.requests).toEqual([]);
      },
    );
  });

  it('still builds the paths of well-formed names', async () => {
    await withFakeNotaryStore(
      (_req, res) => {
        res.writeHead(404);
        res.end();
      },
      async (store, server) => {
        const gun = '127.0.0.1:5000/my-org/app_1.2';
        await store.get(gun, { role: 'targets/releases/team-a', maxBytes: 9 });
        await store.get(gun, { role: 'root', version: 3, maxBytes: 9 });
        await store.get(gun, {
          role: 'snapshot',
          checksum: 'f'.repeat(128),
          maxBytes: 9,
        });
        expect(server.requests.filter((r) => r.path !== '/v2/')).toEqual([
          {
            method: 'GET',
            path: `/v2/${gun}/_trust/tuf/targets/releases/team-a.json`,
          },
          { method: 'GET', path: `/v2/${gun}/_trust/tuf/3.root.json` },
          {
            method: 'GET',
            path: `/v2/${gun}/_trust/tuf/snapshot.${'f'.repeat(128)}.json`,
          },
        ]);
      },
    );
  });
});
