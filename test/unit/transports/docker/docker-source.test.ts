import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from 'undici';
import { manifestFixtures } from '../../../helpers/paths.js';
import { sha256Digest } from '../../../../src/digest/digest.js';
import { dockerTransport } from '../../../../src/transports/docker/docker-transport.js';
import { manifestMediaType } from '../../../../src/transports/docker/docker-source.js';

/** A registry serving fixed manifests under any digest or tag asked for. */
describe('DockerImageSource manifests', () => {
  const dispatcher = new Agent({ keepAliveTimeout: 10 });
  let server: Server;
  let host: string;
  let v2s2: Buffer;
  let v2s1: Buffer;
  const accepts: string[] = [];

  beforeAll(async () => {
    v2s2 = await readFile(join(manifestFixtures, 'v2s2.manifest.json'));
    v2s1 = await readFile(join(manifestFixtures, 'v2s1.manifest.json'));
    server = createServer((req, res) => {
      if (req.url === '/v2/') return void res.writeHead(200).end();
      accepts.push(req.headers.accept ?? '');
      const schema1 = req.url?.includes('/s1/') ?? false;
      res.writeHead(200, {
        'content-type': schema1
          ? 'application/vnd.docker.distribution.manifest.v1+prettyjws'
          : 'text/plain; charset=utf-8',
      });
      res.end(schema1 ? v2s1 : v2s2);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await dispatcher.close();
  });

  const source = (ref: string) =>
    dockerTransport
      .parseReference(`//${host}/${ref}`)
      .newImageSource({ dispatcher });

  it('asks for every manifest type and falls back to the declared mediaType', async () => {
    const m = await (await source('ns/app:v1')).getManifest();
    expect(m.bytes.equals(v2s2)).toBe(true);
    expect(m.mediaType).toBe(
      'application/vnd.docker.distribution.manifest.v2+json',
    );
    for (const t of [
      'application/vnd.oci.image.index.v1+json',
      'application/vnd.docker.distribution.manifest.list.v2+json',
      'application/vnd.oci.image.manifest.v1+json',
      'application/vnd.docker.distribution.manifest.v2+json',
      'application/vnd.docker.distribution.manifest.v1+prettyjws',
    ]) {
      expect(accepts.at(-1)).toContain(t);
    }
  });

  it('accepts a manifest fetched by its digest', async () => {
    const digest = sha256Digest(v2s2);
    const m = await (await source(`ns/app@${digest}`)).getManifest();
    expect(m.bytes.equals(v2s2)).toBe(true);
  });

  it('rejects a manifest whose bytes do not match the digest asked for', async () => {
    const other = `sha256:${'1'.repeat(64)}`;
    await expect(
      (await source(`ns/app@${other}`)).getManifest(),
    ).rejects.toMatchObject({
      code: 'DIGEST_MISMATCH',
    });
    const src = await source('ns/app:v1');
    await expect(src.getManifest(other)).rejects.toMatchObject({
      code: 'DIGEST_MISMATCH',
    });
  });

  it('checks a signed schema1 manifest against its signature-less digest', async () => {
    // The registry's digest of a signed schema1 manifest leaves out the JWS signatures.
    const { manifestDigest } =
      await import('../../../../src/manifest/digest.js');
    const digest = manifestDigest(v2s1);
    expect(digest).not.toBe(sha256Digest(v2s1));
    const m = await (await source(`s1/app@${digest}`)).getManifest();
    expect(m.mediaType).toBe(
      'application/vnd.docker.distribution.manifest.v1+prettyjws',
    );
  });

  it('guesses types for untyped answers', () => {
    expect(
      manifestMediaType(
        undefined,
        Buffer.from('{"schemaVersion":1,"signatures":[]}'),
      ),
    ).toBe('application/vnd.docker.distribution.manifest.v1+prettyjws');
    expect(
      manifestMediaType('application/json', Buffer.from('{"schemaVersion":1}')),
    ).toBe('application/vnd.docker.distribution.manifest.v1+json');
    expect(
      manifestMediaType(
        'application/vnd.oci.image.manifest.v1+json; charset=utf-8',
        Buffer.from('{}'),
      ),
    ).toBe('application/vnd.oci.image.manifest.v1+json');
  });
});
