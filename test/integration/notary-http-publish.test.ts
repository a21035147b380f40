import { createHash, createPrivateKey, sign } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Agent } from 'undici';
import { describeWithPeers } from '../helpers/peers.js';
import {
  TEST_PASSPHRASE,
  startNotaryPeers,
  type NotaryPeers,
} from '../helpers/notary.js';
import { NotaryHTTPStore } from '../../src/notary/http-store.js';

const MiB = 1024 * 1024;

// Canonical JSON (SPEC §7.3) of plain ASCII values, enough for this test.
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

interface TargetsFile {
  signed: {
    version: number;
    targets: Record<string, { length: number; hashes: { sha256: string } }>;
  } & Record<string, unknown>;
  signatures: { keyid: string; method: string; sig: string }[];
}

// A successful publish: the repository's snapshot key is moved to the
// server, the test re-signs targets.json with the key the notary CLI made,
// the store POSTs it alone, and the real notary client verifies the result.
describeWithPeers(
  'NotaryHTTPStore.publish accepted by the real notary-server',
  ['notary-server', 'notary-signer', 'notary'],
  () => {
    let peers: NotaryPeers;
    let store: NotaryHTTPStore;
    let trustDir: string;
    const dispatcher = new Agent({ keepAliveTimeout: 10 });
    const gun = 'example.com/imgsign/publish';

    beforeAll(async () => {
      peers = await startNotaryPeers();
      trustDir = await peers.tempDir();
      await peers.notaryCli(['init', '-p', gun], { trustDir });
      await peers.notaryCli(['key', 'rotate', gun, 'snapshot', '-r'], {
        trustDir,
      });
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

    async function targetsKey(): Promise<ReturnType<typeof createPrivateKey>> {
      const dir = join(trustDir, 'private');
      for (const name of await readdir(dir)) {
        const pem = await readFile(join(dir, name), 'utf8');
        if (!pem.includes('role: targets') || !pem.includes(`gun: ${gun}`)) {
          continue;
        }
        // Node reads the PKCS#8 block once notary's PEM headers are gone.
        const body = pem
          .split('\n')
          .filter((l) => !/^[a-z]+: /.test(l))
          .join('\n');
        return createPrivateKey({
          key: body,
          format: 'pem',
          passphrase: TEST_PASSPHRASE,
        });
      }
      throw new Error(`no targets key for ${gun} in ${dir}`);
    }

    it('publishes a re-signed targets.json that the notary CLI then lists', async () => {
      const current = await store.get(gun, { role: 'targets', maxBytes: MiB });
      const file = JSON.parse(Buffer.from(current!).toString()) as TargetsFile;
      const content = Buffer.from('published by imgsign\n');
      file.signed.version += 1;
      file.signed.targets['from-imgsign'] = {
        length: content.length,
        hashes: {
          sha256: createHash('sha256').update(content).digest('base64'),
        },
      };
      const keyid = file.signatures[0]!.keyid;
      const sig = sign('sha256', Buffer.from(canonical(file.signed)), {
        key: await targetsKey(),
        dsaEncoding: 'ieee-p1363',
      });
      // `signed` must be the canonical bytes: notary-server hashes its own
      // re-serialization of the file for snapshot.json, so any other key
      // order makes the published repository unreadable.
      const bytes = Buffer.from(
        `{"signed":${canonical(file.signed)},"signatures":${JSON.stringify([
          { keyid, method: 'ecdsa', sig: sig.toString('base64') },
        ])}}`,
      );

      await store.publish(gun, [{ role: 'targets', bytes }]);

      const served = await store.get(gun, { role: 'targets', maxBytes: MiB });
      expect(Buffer.from(served!).equals(bytes)).toBe(true);
      const { stdout } = await peers.notaryCli(['list', gun], {
        trustDir: await peers.tempDir(),
      });
      expect(stdout).toMatch(
        new RegExp(
          `^from-imgsign\\s+${createHash('sha256').update(content).digest('hex')}\\s+${content.length}\\s+targets`,
          'm',
        ),
      );
    });
  },
);
