import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Agent } from 'undici';
import { describeWithPeers } from '../helpers/peers.js';
import { startNotaryPeers, type NotaryPeers } from '../helpers/notary.js';
import { NotaryHTTPStore } from '../../src/notary/http-store.js';
import {
  updateTrustData,
  type TrustCache,
} from '../../src/notary/tuf/update.js';
import { TrustError } from '../../src/errors.js';

function memoryCache(): TrustCache & { files: Map<string, Uint8Array> } {
  const files = new Map<string, Uint8Array>();
  return {
    files,
    get: (gun, role) => Promise.resolve(files.get(`${gun}/${role}`)),
    set: (gun, role, bytes) => {
      files.set(`${gun}/${role}`, bytes);
      return Promise.resolve();
    },
  };
}

// The whole read path: imgsign's TUF update reads through NotaryHTTPStore
// what the real notary CLI published to the real notary-server.
describeWithPeers(
  'TUF update through NotaryHTTPStore from the real notary-server',
  ['notary-server', 'notary-signer', 'notary'],
  () => {
    let peers: NotaryPeers;
    let store: NotaryHTTPStore;
    const dispatcher = new Agent({ keepAliveTimeout: 10 });
    const gun = 'example.com/imgsign/tuf-update';
    const content = Buffer.from('the released bytes\n');

    beforeAll(async () => {
      peers = await startNotaryPeers();
      const trustDir = await peers.tempDir();
      const file = join(await peers.tempDir(), 'content');
      await writeFile(file, content);
      await peers.notaryCli(['init', gun], { trustDir });
      await peers.notaryCli(['add', gun, 'v1', file], { trustDir });
      await peers.notaryCli(['publish', gun], { trustDir });
      store = new NotaryHTTPStore({
        serverURL: peers.serverUrl,
        caFile: peers.caFile,
        sys: { dispatcher },
      });
    });
    afterAll(async () => {
      await store?.close();
      await peers?.stop();
      await dispatcher.close();
    });

    it('verifies the repository and finds the target the CLI added', async () => {
      const cache = memoryCache();
      const repo = await updateTrustData({
        gun,
        source: store,
        cache,
        now: new Date(),
      });
      const v1 = repo.targets.get('targets')?.signed.targets.get('v1');
      expect(v1?.length).toBe(content.length);
      expect(v1?.hashes['sha256']?.toString('hex')).toBe(
        createHash('sha256').update(content).digest('hex'),
      );
      expect([...cache.files.keys()].sort()).toEqual(
        ['root', 'snapshot', 'targets', 'timestamp'].map((r) => `${gun}/${r}`),
      );
    });

    it('reports a GUN the server does not know as missing trust data', async () => {
      const err = await updateTrustData({
        gun: 'example.com/imgsign/never-published',
        source: store,
        cache: memoryCache(),
        now: new Date(),
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TrustError);
      expect(err).toMatchObject({ failure: 'missing' });
    });
  },
);
