/**
 * A small in-memory registry (distribution API subset) on a loopback
 * port for hermetic copy tests: manifests by tag or digest, blobs,
 * monolithic and chunked uploads. Every request is recorded.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface MemoryRegistry {
  host: string;
  manifests: Map<string, { bytes: Buffer; mediaType: string }>;
  blobs: Map<string, Buffer>;
  requests: string[];
  /** Store a manifest under `repo` by digest and, if given, a tag. */
  putManifest(
    repo: string,
    bytes: Buffer,
    mediaType: string,
    tag?: string,
  ): string;
  putBlob(bytes: Buffer): string;
  stop(): Promise<void>;
}

const digestOf = (b: Buffer) =>
  `sha256:${createHash('sha256').update(b).digest('hex')}`;

export async function startMemoryRegistry(): Promise<MemoryRegistry> {
  const manifests = new Map<string, { bytes: Buffer; mediaType: string }>();
  const blobs = new Map<string, Buffer>();
  const uploads = new Map<string, Buffer[]>();
  const requests: string[] = [];
  let next = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const method = req.method ?? '';
      const url = new URL(req.url ?? '/', 'http://x');
      requests.push(`${method} ${url.pathname}`);
      const body = Buffer.concat(chunks);
      if (url.pathname === '/v2/') return void res.writeHead(200).end();
      const m = /^\/v2\/(.+)\/(manifests|blobs)\/(.+)$/.exec(url.pathname);
      const up = /^\/v2\/(.+)\/blobs\/uploads\/(.*)$/.exec(url.pathname);
      if (up) {
        const [, repo, id] = up;
        if (method === 'POST') {
          const newId = `u${next++}`;
          uploads.set(newId, []);
          return void res
            .writeHead(202, { location: `/v2/${repo}/blobs/uploads/${newId}` })
            .end();
        }
        const parts = uploads.get(id ?? '');
        if (!parts) return void res.writeHead(404).end();
        parts.push(body);
        if (method === 'PATCH') {
          return void res
            .writeHead(202, { location: `/v2/${repo}/blobs/uploads/${id}` })
            .end();
        }
        if (method === 'PUT') {
          const bytes = Buffer.concat(parts);
          const digest = digestOf(bytes);
          if (digest !== url.searchParams.get('digest')) {
            return void res.writeHead(400).end();
          }
          blobs.set(digest, bytes);
          return void res.writeHead(201, { location: url.pathname }).end();
        }
        if (method === 'DELETE') return void res.writeHead(204).end();
      }
      if (!m) return void res.writeHead(404).end();
      const [, repo, kind, ref] = m;
      if (kind === 'blobs') {
        const b = blobs.get(ref ?? '');
        if (!b) return void res.writeHead(404).end();
        res.writeHead(200, {
          'content-length': b.length,
          'docker-content-digest': ref,
        });
        return void res.end(method === 'HEAD' ? undefined : b);
      }
      const key = `${repo}:${ref}`;
      if (method === 'PUT') {
        const mediaType = req.headers['content-type'] ?? '';
        const digest = digestOf(body);
        manifests.set(key, { bytes: body, mediaType });
        manifests.set(`${repo}:${digest}`, { bytes: body, mediaType });
        return void res
          .writeHead(201, { 'docker-content-digest': digest })
          .end();
      }
      const found = manifests.get(key);
      if (!found) return void res.writeHead(404).end();
      res.writeHead(200, {
        'content-type': found.mediaType,
        'content-length': found.bytes.length,
        'docker-content-digest': digestOf(found.bytes),
      });
      res.end(method === 'HEAD' ? undefined : found.bytes);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    host,
    manifests,
    blobs,
    requests,
    putManifest(repo, bytes, mediaType, tag) {
      const digest = digestOf(bytes);
      manifests.set(`${repo}:${digest}`, { bytes, mediaType });
      if (tag !== undefined)
        manifests.set(`${repo}:${tag}`, { bytes, mediaType });
      return digest;
    },
    putBlob(bytes) {
      const digest = digestOf(bytes);
      blobs.set(digest, bytes);
      return digest;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
