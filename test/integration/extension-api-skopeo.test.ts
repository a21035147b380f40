import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseNormalizedNamed } from '../../src/reference/docker-reference.js';
import { ExtensionAPIStore } from '../../src/signature-storage/extension-api.js';
import { signatureStoreFor } from '../../src/signature-storage/select.js';
import { loadRegistriesConfig } from '../../src/registries-d/load.js';
import { getRegistryClient } from '../../src/transports/docker/registry-client.js';
import { repoRoot } from '../helpers/paths.js';
import { describeWithPeers } from '../helpers/peers.js';
import {
  type ExtensionAPIServer,
  startExtensionAPIServer,
} from '../servers/extension-api.js';
import { type TestRegistry, startRegistry } from '../servers/registry.js';

const run = promisify(execFile);

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
    let work: string;
    let env: NodeJS.ProcessEnv;
    let fpr: string;
    let image: string;
    let emptyRegistriesD: string;
    const policies: Record<'good' | 'other', string> = { good: '', other: '' };

    async function genKey(home: string, uid: string): Promise<string> {
      await mkdir(home, { mode: 0o700 });
      const e = { ...process.env, GNUPGHOME: home };
      await run(
        'gpg',
        [
          '--batch',
          '--passphrase',
          '',
          '--quick-gen-key',
          uid,
          'ed25519',
          'sign',
          'never',
        ],
        { env: e },
      );
      const { stdout } = await run(
        'gpg',
        ['--batch', '--with-colons', '--list-keys', uid],
        { env: e },
      );
      const line = stdout.split('\n').find((l) => l.startsWith('fpr:'));
      return line?.split(':')[9] ?? '';
    }

    async function policyFor(home: string, name: string): Promise<string> {
      const { stdout } = await run('gpg', ['--batch', '--export'], {
        env: { ...process.env, GNUPGHOME: home },
        encoding: 'buffer',
      });
      const keyPath = join(work, `${name}.gpg`);
      await writeFile(keyPath, stdout);
      const path = join(work, `${name}-policy.json`);
      await writeFile(
        path,
        JSON.stringify({
          default: [{ type: 'reject' }],
          transports: {
            docker: {
              [server.host]: [
                { type: 'signedBy', keyType: 'GPGKeys', keyPath },
              ],
            },
            dir: { '': [{ type: 'insecureAcceptAnything' }] },
          },
        }),
      );
      return path;
    }

    const skopeo = (args: string[]) => run('skopeo', args, { env });

    beforeAll(async () => {
      // Lives for the whole file (tempDir() is per test).
      work = await mkdtemp(join(tmpdir(), 'imgsign-extapi-'));
      registry = await startRegistry();
      server = await startExtensionAPIServer(registry.host);
      const home = join(work, 'gnupg');
      fpr = await genKey(home, 'signer@example.com');
      const otherHome = join(work, 'gnupg-other');
      await genKey(otherHome, 'other@example.com');
      env = { ...process.env, GNUPGHOME: home };
      policies.good = await policyFor(home, 'good');
      policies.other = await policyFor(otherHome, 'other');
      image = join(work, 'image');
      await run(process.execPath, [
        join(repoRoot, 'scripts/make-demo-image.js'),
        image,
      ]);
      emptyRegistriesD = join(work, 'registries.d');
      await mkdir(emptyRegistriesD);
    });

    afterAll(async () => {
      for (const home of ['gnupg', 'gnupg-other']) {
        await run('gpgconf', ['--kill', 'gpg-agent'], {
          env: { ...process.env, GNUPGHOME: join(work, home) },
        }).catch(() => undefined);
      }
      await server?.close();
      await registry?.stop();
      await rm(work, { recursive: true, force: true });
    });

    it('skopeo copy --sign-by stores the signature with a schemaVersion 2 PUT', async () => {
      await skopeo([
        '--insecure-policy',
        '--registries.d',
        emptyRegistriesD,
        'copy',
        '--dest-tls-verify=false',
        '--sign-by',
        fpr,
        `dir:${image}`,
        `docker://${server.host}/team/app:signed`,
      ]);
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
      await skopeo([
        '--policy',
        policies.good,
        '--registries.d',
        emptyRegistriesD,
        'copy',
        '--src-tls-verify=false',
        `docker://${server.host}/team/app:signed`,
        `dir:${out}`,
      ]);
      expect(
        (await readFile(join(out, 'manifest.json'))).length,
      ).toBeGreaterThan(0);
    });

    it('skopeo rejects it under a policy trusting another key', async () => {
      await expect(
        skopeo([
          '--policy',
          policies.other,
          '--registries.d',
          emptyRegistriesD,
          'copy',
          '--src-tls-verify=false',
          `docker://${server.host}/team/app:signed`,
          `dir:${join(work, 'pulled-other')}`,
        ]),
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
      await skopeo([
        '--insecure-policy',
        '--registries.d',
        emptyRegistriesD,
        'copy',
        '--dest-tls-verify=false',
        `dir:${image}`,
        `docker://${server.host}/team/other:v1`,
      ]);
      const { stdout: digest } = await run('skopeo', [
        'manifest-digest',
        join(image, 'manifest.json'),
      ]);
      const sigPath = join(work, 'standalone.sig');
      await skopeo([
        'standalone-sign',
        '-o',
        sigPath,
        join(image, 'manifest.json'),
        `${server.host}/team/other:v1`,
        fpr,
      ]);
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
      await skopeo([
        '--policy',
        policies.good,
        '--registries.d',
        emptyRegistriesD,
        'copy',
        '--src-tls-verify=false',
        `docker://${server.host}/team/other:v1`,
        `dir:${join(work, 'pulled-imgsign')}`,
      ]);
      await expect(
        skopeo([
          '--policy',
          policies.other,
          '--registries.d',
          emptyRegistriesD,
          'copy',
          '--src-tls-verify=false',
          `docker://${server.host}/team/other:v1`,
          `dir:${join(work, 'pulled-imgsign-other')}`,
        ]),
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
