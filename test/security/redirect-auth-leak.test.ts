import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from 'undici';
import { dockerTransport } from '../../src/transports/docker/docker-transport.js';
import type { DockerSystemContext } from '../../src/transports/docker/docker-system-context.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/**
 * Registries redirect blob GETs to storage on another origin; the
 * credentials for the registry must never follow (STYLE.md, SPEC §8).
 */
describe('when a registry redirects a blob to another origin', () => {
  const dispatcher = new Agent({ keepAliveTimeout: 10 });
  let registry: Server;
  let storage: Server;
  let registryHost: string;
  let storageHost: string;
  const storageSaw: IncomingHttpHeaders[] = [];
  const registrySaw: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    storage = createServer((req, res) => {
      storageSaw.push(req.headers);
      res.writeHead(200, { 'content-length': '4' }).end('blob');
    });
    storageHost = await listen(storage);
    registry = createServer((req, res) => {
      registrySaw.push(req.headers);
      const url = req.url ?? '';
      if (url.startsWith('/token?')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ token: 'secret-token', expires_in: 300 }));
        return;
      }
      const scheme = url.includes('/bearer/') ? 'bearer' : 'basic';
      const expected =
        scheme === 'basic'
          ? `Basic ${Buffer.from('alice:s3cret').toString('base64')}`
          : 'Bearer secret-token';
      if (req.headers.authorization !== expected) {
        res.writeHead(401, {
          'www-authenticate':
            scheme === 'basic'
              ? 'Basic realm="test"'
              : `Bearer realm="http://${registryHost}/token",service="test"`,
        });
        res.end();
        return;
      }
      if (url.includes('/same/')) {
        res.writeHead(307, { location: `/v2/final/blobs/${DIGEST}` }).end();
        return;
      }
      if (url.startsWith('/v2/final/')) {
        res.writeHead(200, { 'content-length': '4' }).end('blob');
        return;
      }
      res
        .writeHead(307, {
          location: `http://${storageHost}/storage/object?sig=1`,
        })
        .end();
    });
    registryHost = await listen(registry);
  });
  afterAll(async () => {
    for (const s of [registry, storage]) {
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
    await dispatcher.close();
  });

  async function fetchBlob(repo: string): Promise<string> {
    const sys: DockerSystemContext = {
      dispatcher,
      dockerCredentials: { username: 'alice', password: 's3cret' },
    };
    const src = await dockerTransport
      .parseReference(`//${registryHost}/${repo}:v1`)
      .newImageSource(sys);
    const { stream } = await src.getBlob({ digest: DIGEST, size: 4 });
    const chunks: Buffer[] = [];
    for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c);
    return Buffer.concat(chunks).toString();
  }

  for (const scheme of ['basic', 'bearer']) {
    it(`does not send ${scheme} credentials to the storage origin`, async () => {
      storageSaw.length = 0;
      registrySaw.length = 0;
      expect(await fetchBlob(`${scheme}/repo`)).toBe('blob');
      expect(storageSaw).toHaveLength(1);
      expect(storageSaw[0]!.authorization).toBeUndefined();
      // The registry itself did get them.
      expect(registrySaw.some((h) => h.authorization !== undefined)).toBe(true);
    });
  }

  it('keeps credentials on a same-origin redirect', async () => {
    registrySaw.length = 0;
    expect(await fetchBlob('basic/same')).toBe('blob');
    expect(registrySaw.at(-1)?.authorization).toMatch(/^Basic /);
  });
});
