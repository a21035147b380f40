import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { Agent } from 'undici';
import { describeWithPeers } from '../helpers/peers.js';
import {
  makeSmallImage,
  startRegistry,
  startRegistryProxy,
  type ProxyTamper,
  type RegistryProxy,
  type SmallImage,
  type TestRegistry,
} from '../servers/registry.js';
import { dockerTransport } from '../../src/transports/docker/docker-transport.js';
import type { SystemContext } from '../../src/system-context.js';

/**
 * A source registry that sends a blob whose bytes do not match its digest
 * (modified or truncated): the copy aborts and the destination never
 * receives the manifest.
 */
describeWithPeers(
  'when the source registry tampers with a blob',
  ['registry'],
  () => {
    let source: TestRegistry;
    let dest: TestRegistry;
    let proxy: RegistryProxy | undefined;
    let image: SmallImage;
    const dispatcher = new Agent({ keepAliveTimeout: 10 });
    const sys: SystemContext = { dispatcher };

    beforeAll(async () => {
      [source, dest] = await Promise.all([startRegistry(), startRegistry()]);
      image = await makeSmallImage('the real layer content\n'.repeat(200));
      const d = await dockerTransport
        .parseReference(`//${source.host}/src/img:v1`)
        .newImageDestination(sys);
      for (const b of [image.config, ...image.layers]) {
        await d.putBlob(Readable.from([b.bytes]), {
          digest: b.digest,
          size: b.bytes.length,
        });
      }
      await d.putManifest({
        bytes: image.manifest,
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      });
    });
    afterEach(async () => {
      await proxy?.stop();
      proxy = undefined;
    });
    afterAll(async () => {
      await Promise.all([source?.stop(), dest?.stop()]);
      await dispatcher.close();
    });

    /** Copy through the proxy the way a pipeline does: blobs, then the manifest. */
    async function copyVia(
      tamper: (body: Buffer) => ProxyTamper,
      repo: string,
    ): Promise<unknown> {
      const layerPath = `/v2/src/img/blobs/${image.layers[0]!.digest}`;
      proxy = await startRegistryProxy({
        target: source.url,
        tamper: (method, path, body) =>
          method === 'GET' && path === layerPath ? tamper(body) : undefined,
      });
      const src = await dockerTransport
        .parseReference(`//${proxy.host}/src/img:v1`)
        .newImageSource(sys);
      const dst = await dockerTransport
        .parseReference(`//${dest.host}/${repo}:v1`)
        .newImageDestination(sys);
      const manifest = await src.getManifest();
      const parsed = JSON.parse(manifest.bytes.toString()) as {
        config: { digest: string; size: number };
        layers: { digest: string; size: number }[];
      };
      try {
        for (const info of [parsed.config, ...parsed.layers]) {
          const { stream } = await src.getBlob(info);
          await dst.putBlob(stream, info);
        }
        await dst.putManifest(manifest);
        return undefined;
      } catch (err) {
        return err;
      }
    }

    async function destinationHasManifest(repo: string): Promise<boolean> {
      const src = await dockerTransport
        .parseReference(`//${dest.host}/${repo}:v1`)
        .newImageSource(sys);
      return src.getManifest().then(
        () => true,
        (err: { code?: string }) => {
          expect(err.code).toBe('NOT_FOUND');
          return false;
        },
      );
    }

    it('rejects a blob with one byte changed', async () => {
      const err = await copyVia((body) => {
        const bad = Buffer.from(body);
        bad[bad.length - 1] = bad[bad.length - 1]! ^ 0xff;
        return { body: bad };
      }, 'dst/modified');
      expect(err).toMatchObject({
        code: 'REGISTRY_HTTP',
        message: expect.stringMatching(/DIGEST_INVALID/),
      });
      expect(await destinationHasManifest('dst/modified')).toBe(false);
    });

    it('rejects a blob cut short with an honest Content-Length', async () => {
      const err = await copyVia(
        (body) => ({ body: body.subarray(0, body.length - 10) }),
        'dst/short',
      );
      expect(err).toMatchObject({ code: 'DIGEST_MISMATCH' });
      expect(await destinationHasManifest('dst/short')).toBe(false);
    });

    it('rejects a blob whose connection closes early', async () => {
      const err = await copyVia(
        (body) => ({ cutAfter: Math.floor(body.length / 2) }),
        'dst/cut',
      );
      expect(err).toBeInstanceOf(Error);
      expect(await destinationHasManifest('dst/cut')).toBe(false);
    });

    it('copies the same image when nothing is tampered with', async () => {
      const err = await copyVia(() => ({}), 'dst/clean');
      expect(err).toBeUndefined();
      expect(await destinationHasManifest('dst/clean')).toBe(true);
    });
  },
);
