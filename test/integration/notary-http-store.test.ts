import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Agent } from 'undici';
import { describeWithPeers } from '../helpers/peers.js';
import { startNotaryPeers, type NotaryPeers } from '../helpers/notary.js';
import { NotaryHTTPStore } from '../../src/notary/http-store.js';
import {
  NotaryInvalidOperationError,
  NotaryResponseTooLargeError,
  NotaryServerUnavailableError,
} from '../../src/notary/http-errors.js';

const MiB = 1024 * 1024;

interface Meta {
  length: number;
  hashes: { sha256: string };
}
interface Signed<T> {
  signed: T;
}

function b64ToHex(b64: string): string {
  return Buffer.from(b64, 'base64').toString('hex');
}

// Canonical JSON (SPEC §7.3) of plain ASCII values: enough for key IDs.
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

describeWithPeers(
  'NotaryHTTPStore against the real notary-server',
  ['notary-server', 'notary-signer', 'notary'],
  () => {
    let peers: NotaryPeers;
    let store: NotaryHTTPStore;
    const dispatcher = new Agent({ keepAliveTimeout: 10 });
    const gun = 'example.com/imgsign/http-store';
    // What the notary CLI downloaded and verified, byte for byte.
    const cached: Record<string, Buffer> = {};

    beforeAll(async () => {
      peers = await startNotaryPeers();
      const trustDir = await peers.tempDir();
      const file = join(await peers.tempDir(), 'payload');
      await writeFile(file, 'payload of v1\n');
      await peers.notaryCli(['init', gun], { trustDir });
      await peers.notaryCli(['add', gun, 'v1', file], { trustDir });
      await peers.notaryCli(['publish', gun], { trustDir });
      const reader = await peers.tempDir();
      await peers.notaryCli(['list', gun], { trustDir: reader });
      for (const role of ['root', 'targets', 'snapshot', 'timestamp']) {
        cached[role] = await readFile(
          join(reader, 'tuf', gun, 'metadata', `${role}.json`),
        );
      }
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

    it('reads the current root, targets, snapshot and timestamp as the notary CLI got them', async () => {
      for (const role of ['root', 'targets', 'snapshot', 'timestamp']) {
        const got = await store.get(gun, { role, maxBytes: MiB });
        expect(got, role).toBeDefined();
        expect(Buffer.from(got!).equals(cached[role]!), role).toBe(true);
      }
    });

    it('refuses the server certificate without its CA', async () => {
      const untrusting = new NotaryHTTPStore({
        serverURL: peers.serverUrl,
        sys: { dispatcher },
      });
      try {
        const err = await untrusting
          .get(gun, { role: 'timestamp', maxBytes: MiB })
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(NotaryServerUnavailableError);
        expect((err as Error).message).toMatch(/certificate/);
      } finally {
        await untrusting.close();
      }
    });

    it('trusts the CA from a docker tls/<host:port> directory, or skips verification when asked', async () => {
      const dockerConfig = await peers.dockerConfigDir();
      for (const tls of [
        { certDir: join(dockerConfig, 'tls', peers.serverHost) },
        { tlsVerify: false },
      ]) {
        const other = new NotaryHTTPStore({
          serverURL: peers.serverUrl,
          sys: { dispatcher },
          timeoutMs: 30_000,
          ...tls,
        });
        try {
          const got = await other.get(gun, {
            role: 'timestamp',
            maxBytes: MiB,
          });
          expect(Buffer.from(got!).equals(cached['timestamp']!)).toBe(true);
        } finally {
          await other.close();
        }
      }
    });

    it('reads snapshot and targets by the checksums their parents list', async () => {
      const timestamp = JSON.parse(cached['timestamp']!.toString()) as Signed<{
        meta: { snapshot: Meta };
      }>;
      const snapMeta = timestamp.signed.meta.snapshot;
      const snapshot = await store.get(gun, {
        role: 'snapshot',
        checksum: b64ToHex(snapMeta.hashes.sha256),
        maxBytes: snapMeta.length,
      });
      expect(snapshot?.length).toBe(snapMeta.length);
      expect(Buffer.from(snapshot!).equals(cached['snapshot']!)).toBe(true);

      const snap = JSON.parse(Buffer.from(snapshot!).toString()) as Signed<{
        meta: { targets: Meta };
      }>;
      const targetsMeta = snap.signed.meta.targets;
      const targets = await store.get(gun, {
        role: 'targets',
        checksum: b64ToHex(targetsMeta.hashes.sha256),
        maxBytes: targetsMeta.length,
      });
      expect(createHash('sha256').update(targets!).digest('base64')).toBe(
        targetsMeta.hashes.sha256,
      );
    });

    it('reads root by version', async () => {
      const root = await store.get(gun, {
        role: 'root',
        version: 1,
        maxBytes: MiB,
      });
      expect(Buffer.from(root!).equals(cached['root']!)).toBe(true);
      expect(
        await store.get(gun, { role: 'root', version: 2, maxBytes: MiB }),
      ).toBeUndefined();
    });

    it('answers undefined for a GUN nobody published and for a checksum the server does not have', async () => {
      expect(
        await store.get('example.com/imgsign/nobody', {
          role: 'root',
          maxBytes: MiB,
        }),
      ).toBeUndefined();
      expect(
        await store.get(gun, {
          role: 'snapshot',
          checksum: '0'.repeat(64),
          maxBytes: MiB,
        }),
      ).toBeUndefined();
      expect(
        await store.get(gun, { role: 'targets/releases', maxBytes: MiB }),
      ).toBeUndefined();
    });

    it('refuses a real file longer than the caller allows', async () => {
      const length = cached['root']!.length;
      await expect(
        store.get(gun, { role: 'root', maxBytes: length - 1 }),
      ).rejects.toBeInstanceOf(NotaryResponseTooLargeError);
    });

    it('gets the server-held timestamp key that root.json names', async () => {
      const key = await store.getServerKey(gun, 'timestamp');
      expect(key.keytype).toBe('ecdsa');
      const id = createHash('sha256')
        .update(
          canonical({
            keytype: key.keytype,
            keyval: { private: null, public: key.public },
          }),
        )
        .digest('hex');
      const root = JSON.parse(cached['root']!.toString()) as Signed<{
        roles: { timestamp: { keyids: string[] } };
      }>;
      expect(root.signed.roles.timestamp.keyids).toEqual([id]);
    });

    it('maps a publish of garbage JSON to MALFORMED_JSON', async () => {
      const err = await store
        .publish(gun, [{ role: 'targets', bytes: Buffer.from('{not json') }])
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotaryInvalidOperationError);
      expect(err).toMatchObject({
        serverCode: 'MALFORMED_JSON',
        status: 400,
        code: 'REGISTRY_HTTP',
      });
      expect((err as Error).message).toContain(peers.serverUrl);
      expect((err as Error).message).toContain(gun);
      expect((err as Error).message).toMatch(/publishing targets/);
      expect((err as Error).message).not.toContain('\n');
    });

    it('names delegation files by role so the server parses them as that role', async () => {
      // notary-server checks the role from the filename before the JSON:
      // MALFORMED_JSON (not INVALID_ROLE) means it read targets/releases.
      const err = await store
        .publish(gun, [{ role: 'targets/releases', bytes: Buffer.from('[') }])
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ serverCode: 'MALFORMED_JSON' });
      expect((err as Error).message).toMatch(
        /publishing targets\/releases for/,
      );
    });

    it('maps a publish the server cannot complete (it holds no snapshot key here) to INVALID_UPDATE', async () => {
      const err = await store
        .publish(gun, [{ role: 'targets', bytes: cached['targets']! }])
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotaryInvalidOperationError);
      expect(err).toMatchObject({ serverCode: 'INVALID_UPDATE' });
      expect((err as NotaryInvalidOperationError).detail).toMatch(/not found/);
    });

    it('maps a re-publish of the current targets and snapshot to VERSION', async () => {
      const err = await store
        .publish(gun, [
          { role: 'targets', bytes: cached['targets']! },
          { role: 'snapshot', bytes: cached['snapshot']! },
        ])
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotaryInvalidOperationError);
      expect(err).toMatchObject({ serverCode: 'VERSION' });
    });

    it('deletes the trust data of a GUN', async () => {
      const other = 'example.com/imgsign/to-delete';
      const trustDir = await peers.tempDir();
      await peers.notaryCli(['init', '-p', other], { trustDir });
      expect(
        await store.get(other, { role: 'root', maxBytes: MiB }),
      ).toBeDefined();
      await store.deleteTrustData(other);
      expect(
        await store.get(other, { role: 'timestamp', maxBytes: MiB }),
      ).toBeUndefined();
    });
  },
);
