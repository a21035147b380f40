import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRegistriesConfig } from '../../../src/registries-d/load.js';
import { parseNormalizedNamed } from '../../../src/reference/docker-reference.js';
import { LookasideStore } from '../../../src/signature-storage/lookaside.js';
import { tempDir } from '../../helpers/paths.js';
import { startHttpServer, startStaticHttp } from '../../servers/static-http.js';

const hex = '5a'.repeat(32);
const digest = `sha256:${hex}`;
const ref = parseNormalizedNamed('registry.example.com/team/app:1');

describe('http lookaside (staging written as files, published by a web server)', () => {
  it('reads what was written to the staging directory, in order, stopping at the first 404', async () => {
    const staging = await tempDir();
    const server = await startStaticHttp(staging);
    try {
      const conf = await tempDir();
      await writeFile(
        join(conf, 'a.yaml'),
        `docker:\n  registry.example.com/team:\n    lookaside: ${server.url}/pub\n    lookaside-staging: file://${staging}/pub\n`,
      );
      const store = new LookasideStore({
        config: await loadRegistriesConfig(conf),
        sys: {},
      });
      expect(await store.read(ref, digest)).toEqual([]);
      const sigs = [Buffer.from([0, 1, 2, 255]), Buffer.from('second')];
      await store.add(ref, digest, sigs);
      server.requests.length = 0;
      expect(await store.read(ref, digest)).toEqual(sigs);
      expect(server.requests).toEqual(
        [1, 2, 3].map((n) => `/pub/team/app@sha256=${hex}/signature-${n}`),
      );
    } finally {
      await server.close();
    }
  });

  it('follows redirects to another http server', async () => {
    const target = await startHttpServer((req, res) => {
      if (req.url?.endsWith('/signature-1')) {
        res
          .writeHead(200, { 'content-type': 'application/octet-stream' })
          .end('moved');
      } else {
        res.writeHead(404).end();
      }
    });
    const front = await startHttpServer((req, res) => {
      res.writeHead(302, { location: `${target.url}${req.url ?? ''}` }).end();
    });
    try {
      const conf = await tempDir();
      await writeFile(
        join(conf, 'a.yaml'),
        `default-docker:\n  lookaside: ${front.url}\n`,
      );
      const store = new LookasideStore({
        config: await loadRegistriesConfig(conf),
        sys: {},
      });
      expect((await store.read(ref, digest)).map(String)).toEqual(['moved']);
    } finally {
      await front.close();
      await target.close();
    }
  });

  it('refuses a redirect to a file: URL', async () => {
    const front = await startHttpServer((_req, res) => {
      res.writeHead(302, { location: 'file:///etc/passwd' }).end();
    });
    try {
      const conf = await tempDir();
      await writeFile(
        join(conf, 'a.yaml'),
        `default-docker:\n  lookaside: ${front.url}\n`,
      );
      const store = new LookasideStore({
        config: await loadRegistriesConfig(conf),
        sys: {},
      });
      await expect(store.read(ref, digest)).rejects.toThrow(
        /refusing redirect to file: URL/,
      );
    } finally {
      await front.close();
    }
  });
});
