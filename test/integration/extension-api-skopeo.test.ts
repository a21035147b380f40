import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseNormalizedNamed } from '../../src/reference/docker-reference.js';
import { ExtensionAPIStore } from '../../src/signature-storage/extension-api.js';
import { signatureStoreFor } from '../../src/signature-storage/select.js';
import { loadRegistriesConfig } from '../../src/registries-d/load.js';
import { getRegistryClient } from '../../src/transports/docker/registry-client.js';
import { describeWithPeers } from '../helpers/peers.js';
import {
  type ExtensionAPIServer,
  startExtensionAPIServer,
} from '../servers/extension-api.js';
import { type TestRegistry, startRegistry } from '../servers/registry.js';
import {
  type SigningWorld,
  makeSigningWorld,
  removeSigningWorld,
  run,
  type SkopeoPeer,
  skopeoPeer,
  skopeoStandaloneSign,
} from './sign-push-setup.js';

/**
 * Proves test/servers/extension-api.ts right against the reference client:
 * skopeo writes signatures through it (--sign-by) and reads them back under
 * a signedBy policy; then imgsign's ExtensionAPIStore interoperates both ways.
 */
describeWithPeers(
  'extension API server vs skopeo',
  ['skopeo', 'registry', 'gpg'],
  () => {
    let registry: TestRegistry;
    let server: ExtensionAPIServer;
    let world: SigningWorld;
    let work: string;
    let image: string;
    let emptyRegistriesD: string;
    let peer: SkopeoPeer;

    beforeAll(async () => {
      registry = await startRegistry();
      server = await startExtensionAPIServer(registry.host);
      // Lives for the whole file (tempDir() is per test).
      world = await makeSigningWorld('imgsign-extapi-', server.host);
      ({ work, image } = world);
      emptyRegistriesD = join(work, 'registries.d');
      await mkdir(emptyRegistriesD);
      peer = skopeoPeer(world, server.host, emptyRegistriesD);
    });

    afterAll(async () => {
      await server?.close();
      await registry?.stop();
      await removeSigningWorld(world);
    });

    it('skopeo copy --sign-by stores the signature with a schemaVersion 2 PUT', async () => {
      await peer.push('team/app:signed', true);
      expect(server.puts).toHaveLength(1);
      const put = server.puts[0]!;
      expect(put.repository).toBe('team/app');
      const body = put.body as Record<string, unknown>;
      expect(body['schemaVersion']).toBe(2);
      expect(body['type']).toBe('atomic');
      expect(body['name']).toMatch(new RegExp(`^${put.digest}@[0-9a-f]{32}$`));
      const { stdout: digest } = await run('skopeo', [
        'manifest-digest',
        join(image, 'manifest.json'),
      ]);
      expect(put.digest).toBe(digest.trim());
    });

    it('skopeo reads it back through the server and accepts it with the signer key', async () => {
      const out = join(work, 'pulled-good');
      await peer.pull('good', 'team/app:signed', 'pulled-good');
      expect(
        (await readFile(join(out, 'manifest.json'))).length,
      ).toBeGreaterThan(0);
    });

    it('skopeo rejects it under a policy trusting another key', async () => {
      await expect(
        peer.pull('other', 'team/app:signed', 'pulled-other'),
      ).rejects.toMatchObject({ stderr: expect.stringMatching(/signature/i) });
    });

    it('imgsign reads the skopeo signature through the extension API', async () => {
      const put = server.puts[0]!;
      const body = put.body as { content: string };
      const ref = parseNormalizedNamed(`${server.host}/team/app:signed`);
      const store = await signatureStoreFor(ref, {
        sys: {},
        registriesConfig: await loadRegistriesConfig(emptyRegistriesD),
        tlsVerify: false,
      });
      expect(store).toBeInstanceOf(ExtensionAPIStore);
      const sigs = await store.read(ref, put.digest);
      expect(sigs).toEqual([Buffer.from(body.content, 'base64')]);
    });

    it('a signature imgsign stores is accepted by skopeo, and is not stored twice', async () => {
      await peer.push('team/other:v1', false);
      const { stdout: digest } = await run('skopeo', [
        'manifest-digest',
        join(image, 'manifest.json'),
      ]);
      const sigPath = await skopeoStandaloneSign(
        world.good,
        image,
        `${server.host}/team/other:v1`,
        join(work, 'standalone.sig'),
      );
      const sig = await readFile(sigPath);
      const ref = parseNormalizedNamed(`${server.host}/team/other:v1`);
      const store = new ExtensionAPIStore(
        getRegistryClient({ registry: server.host, sys: {}, tlsVerify: false }),
      );
      const before = server.puts.length;
      const written = await store.add(ref, digest.trim(), [sig]);
      expect(written).toHaveLength(1);
      expect(await store.add(ref, digest.trim(), [sig])).toEqual([]);
      expect(server.puts.length).toBe(before + 1);
      await peer.pull('good', 'team/other:v1', 'pulled-imgsign');
      await expect(
        peer.pull('other', 'team/other:v1', 'pulled-imgsign-other'),
      ).rejects.toBeTruthy();
    });

    it('the server answers as OpenShift does for bad requests', async () => {
      const client = getRegistryClient({
        registry: server.host,
        sys: {},
        tlsVerify: false,
      });
      const digest = (
        await run('skopeo', ['manifest-digest', join(image, 'manifest.json')])
      ).stdout.trim();
      const path = `/extensions/v2/team/app/signatures/${digest}`;
      const put = (body: unknown) =>
        client.request({
          method: 'PUT',
          path,
          repository: 'team/app',
          actions: ['pull', 'push'],
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const sig = {
        name: `${digest}@${'b'.repeat(32)}`,
        type: 'atomic',
        content: 'AAAA',
      };
      const v = await put({ version: 2, ...sig });
      expect(v.status).toBe(400);
      expect(JSON.parse(v.body.toString()).errors[0]).toMatchObject({
        code: 'SIGNATURE_INVALID',
        message: 'only schemaVersion=2 is currently supported',
      });
      expect((await put({ schemaVersion: 2, ...sig })).status).toBe(201);
      expect((await put({ schemaVersion: 2, ...sig })).status).toBe(409);
      const unknown = `sha256:${'9'.repeat(64)}`;
      const missing = await client.request({
        method: 'GET',
        path: `/extensions/v2/team/app/signatures/${unknown}`,
        repository: 'team/app',
        actions: ['pull'],
      });
      expect(missing.status).toBe(404);
      const noDigest = await client.request({
        method: 'GET',
        path: '/extensions/v2/team/app/signatures/',
        repository: 'team/app',
        actions: ['pull'],
      });
      expect(noDigest.status).toBe(400);
    });
  },
);
