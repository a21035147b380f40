import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Agent } from 'undici';
import { sha256Digest } from '../../../../src/digest/digest.js';
import { dockerTransport } from '../../../../src/transports/docker/docker-transport.js';
import type {
  DockerSignatureStoreResolver,
  DockerSystemContext,
} from '../../../../src/transports/docker/docker-system-context.js';
import type { SignatureStore } from '../../../../src/signature-storage/store.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A scripted registry that accepts uploads and manifests and records every request. */
describe('DockerImageDestination wire protocol', () => {
  const dispatcher = new Agent({ keepAliveTimeout: 10 });
  let server: Server;
  let host: string;
  let seen: Seen[];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = req.url ?? '';
        seen.push({
          method: req.method ?? '',
          url,
          headers: req.headers,
          body: Buffer.concat(chunks),
        });
        if (url === '/v2/') return void res.writeHead(200).end();
        if (req.method === 'HEAD') return void res.writeHead(404).end();
        if (req.method === 'POST') {
          return void res
            .writeHead(202, {
              location: `/v2/ns/app/blobs/uploads/u1?_state=abc`,
            })
            .end();
        }
        if (req.method === 'PATCH') {
          return void res
            .writeHead(202, {
              location: `http://${host}/v2/ns/app/blobs/uploads/u1?_state=def`,
            })
            .end();
        }
        if (req.method === 'PUT') return void res.writeHead(201).end();
        res.writeHead(405).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  beforeEach(() => {
    seen = [];
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await dispatcher.close();
  });

  const dest = (ref: string, extra: Partial<DockerSystemContext> = {}) =>
    dockerTransport
      .parseReference(`//${host}/${ref}`)
      .newImageDestination({ dispatcher, ...extra });

  it('uploads a blob of known size in one PUT carrying its digest and length', async () => {
    const bytes = Buffer.from('blob bytes');
    const digest = sha256Digest(bytes);
    const d = await dest('ns/app:v1');
    expect(
      await d.putBlob(Readable.from([bytes]), { digest, size: bytes.length }),
    ).toEqual({
      digest,
      size: bytes.length,
    });
    const put = seen.find((s) => s.method === 'PUT')!;
    const url = new URL(put.url, 'http://x');
    expect(url.pathname).toBe('/v2/ns/app/blobs/uploads/u1');
    expect(url.searchParams.get('_state')).toBe('abc');
    expect(url.searchParams.get('digest')).toBe(digest);
    expect(put.headers['content-length']).toBe(String(bytes.length));
    expect(put.body.equals(bytes)).toBe(true);
    expect(seen.map((s) => s.method)).toEqual(['GET', 'POST', 'PUT']);
  });

  it('streams a blob of unknown size with PATCH, then PUTs the computed digest', async () => {
    const parts = [Buffer.from('part one, '), Buffer.from('part two')];
    const d = await dest('ns/app:v1');
    const out = await d.putBlob(Readable.from(parts), { digest: '', size: -1 });
    const all = Buffer.concat(parts);
    expect(out).toEqual({ digest: sha256Digest(all), size: all.length });
    const patch = seen.find((s) => s.method === 'PATCH')!;
    expect(patch.body.equals(all)).toBe(true);
    const put = seen.find((s) => s.method === 'PUT')!;
    expect(new URL(put.url, 'http://x').searchParams.get('_state')).toBe('def');
    expect(new URL(put.url, 'http://x').searchParams.get('digest')).toBe(
      sha256Digest(all),
    );
  });

  it('puts the manifest by tag with its media type, or by digest for digest references', async () => {
    const manifest = Buffer.from('{"schemaVersion":2}');
    const mediaType = 'application/vnd.oci.image.manifest.v1+json';
    await (await dest('ns/app:v7')).putManifest({ bytes: manifest, mediaType });
    const byTag = seen.find((s) => s.method === 'PUT')!;
    expect(byTag.url).toBe('/v2/ns/app/manifests/v7');
    expect(byTag.headers['content-type']).toBe(mediaType);
    expect(byTag.body.equals(manifest)).toBe(true);

    seen = [];
    const digest = sha256Digest(manifest);
    await (
      await dest(`ns/app@${digest}`)
    ).putManifest({ bytes: manifest, mediaType });
    expect(seen.find((s) => s.method === 'PUT')!.url).toBe(
      `/v2/ns/app/manifests/${digest}`,
    );
  });

  it('refuses to put a manifest under a digest it does not have, without sending it', async () => {
    const d = await dest(`ns/app@sha256:${'2'.repeat(64)}`);
    await expect(
      d.putManifest({ bytes: Buffer.from('{}'), mediaType: 'x' }),
    ).rejects.toMatchObject({
      code: 'DIGEST_MISMATCH',
    });
    expect(seen.filter((s) => s.method === 'PUT')).toHaveLength(0);
  });

  it('hands signatures to the store the resolver chooses, under the manifest digest', async () => {
    const added: { digest: string; sigs: Buffer[] }[] = [];
    const store: SignatureStore = {
      describe: () => 'test store',
      read: () => Promise.resolve([]),
      add: (_ref, digest, sigs) => {
        added.push({ digest, sigs });
        return Promise.resolve(['somewhere']);
      },
    };
    const calls: boolean[] = [];
    const resolver: DockerSignatureStoreResolver = ({ forWriting }) => {
      calls.push(forWriting);
      return Promise.resolve(store);
    };
    const d = await dest('ns/app:v1', {
      dockerSignatureStoreResolver: resolver,
    });
    expect(await d.supportsSignatures()).toBe(true);
    const manifest = Buffer.from('{"schemaVersion":2,"x":1}');
    await d.putManifest({
      bytes: manifest,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
    });
    await d.putSignatures([Buffer.from('sig')]);
    expect(added).toEqual([
      { digest: sha256Digest(manifest), sigs: [Buffer.from('sig')] },
    ]);
    expect(calls.every((w) => w)).toBe(true);
  });

  it('cannot store signatures when no store is configured', async () => {
    const d = await dest('ns/app:v1');
    expect(await d.supportsSignatures()).toBe(false);
    await expect(d.putSignatures([Buffer.from('sig')])).rejects.toMatchObject({
      code: 'UNSUPPORTED',
    });
    await expect(d.putSignatures([])).resolves.toBeUndefined();
  });
});
