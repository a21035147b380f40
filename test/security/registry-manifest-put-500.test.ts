import { Readable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Agent } from 'undici';
import { describeWithPeers } from '../helpers/peers.js';
import {
  makeSmallImage,
  startRegistry,
  startRegistryProxy,
  type RegistryProxy,
  type TestRegistry,
} from '../servers/registry.js';
import { dockerTransport } from '../../src/transports/docker/docker-transport.js';
import type { DockerSystemContext } from '../../src/transports/docker/docker-system-context.js';
import { RegistryHTTPError } from '../../src/errors.js';

/** A registry that fails the manifest PUT: reported, retried a bounded number of times, nothing tagged. */
describeWithPeers(
  'when the destination answers 500 to the manifest PUT',
  ['registry'],
  () => {
    let registry: TestRegistry;
    let proxy: RegistryProxy;
    const dispatcher = new Agent({ keepAliveTimeout: 10 });
    const sys: DockerSystemContext = { dispatcher, dockerRetryTimes: 2 };

    beforeAll(async () => {
      registry = await startRegistry();
      proxy = await startRegistryProxy({
        target: registry.url,
        intercept: (req, res) => {
          if (req.method !== 'PUT' || !/\/manifests\//.test(req.url ?? ''))
            return false;
          req.resume();
          res.writeHead(500, {
            'content-type': 'application/json',
            'retry-after': '0',
          });
          res.end(
            '{"errors":[{"code":"UNKNOWN","message":"storage on fire"}]}',
          );
          return true;
        },
      });
    });
    afterAll(async () => {
      await proxy?.stop();
      await registry?.stop();
      await dispatcher.close();
    });

    it('reports the failure with the registry message and leaves no manifest', async () => {
      const image = await makeSmallImage();
      const dest = await dockerTransport
        .parseReference(`//${proxy.host}/ns/fail:v1`)
        .newImageDestination(sys);
      for (const b of [image.config, ...image.layers]) {
        await dest.putBlob(Readable.from([b.bytes]), {
          digest: b.digest,
          size: b.bytes.length,
        });
      }
      const err: unknown = await dest
        .putManifest({
          bytes: image.manifest,
          mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RegistryHTTPError);
      expect((err as RegistryHTTPError).status).toBe(500);
      expect((err as Error).message).toMatch(
        /writing manifest to .*ns\/fail:v1: HTTP 500 \(UNKNOWN: storage on fire\)/,
      );
      // One try plus dockerRetryTimes retries, no more.
      expect(
        proxy.log.filter(
          (r) => r.method === 'PUT' && r.path.includes('/manifests/'),
        ),
      ).toHaveLength(3);
      const src = await dockerTransport
        .parseReference(`//${registry.host}/ns/fail:v1`)
        .newImageSource(sys);
      await expect(src.getManifest()).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
    });
  },
);
