import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Agent } from 'undici';
import { describeWithPeers } from '../helpers/peers.js';
import { tempDir } from '../helpers/paths.js';
import {
  makeSmallImage,
  startRegistry,
  type TestRegistry,
} from '../servers/registry.js';
import { dockerTransport } from '../../src/transports/docker/docker-transport.js';
import {
  closeRegistryClients,
  getRegistryClient,
} from '../../src/transports/docker/registry-client.js';
import type { DockerSystemContext } from '../../src/transports/docker/docker-system-context.js';

describeWithPeers(
  'docker:// over https with a private CA',
  ['registry'],
  () => {
    let registry: TestRegistry;
    const dispatcher = new Agent({ keepAliveTimeout: 10 });
    const contexts: DockerSystemContext[] = [];
    const sysWith = (
      extra: Partial<DockerSystemContext>,
    ): DockerSystemContext => {
      const sys = { dispatcher, ...extra };
      contexts.push(sys);
      return sys;
    };

    beforeAll(async () => {
      registry = await startRegistry({ tls: true });
    });
    afterAll(async () => {
      await Promise.all(contexts.map((s) => closeRegistryClients(s)));
      await registry?.stop();
      await dispatcher.close();
    });

    it('refuses the unknown certificate by default', async () => {
      const client = getRegistryClient({
        registry: registry.host,
        sys: sysWith({}),
      });
      await expect(client.ping()).rejects.toMatchObject({
        code: 'INCONCLUSIVE',
        message: expect.stringMatching(/https: .*certificate/),
      });
    });

    it('trusts the CA from --cert-dir (ca.crt) and pushes and pulls over https', async () => {
      const sys = sysWith({ dockerCertDir: registry.certDir! });
      const ref = dockerTransport.parseReference(
        `//${registry.host}/tls/app:v1`,
      );
      const image = await makeSmallImage('over tls\n');
      const dest = await ref.newImageDestination(sys);
      for (const b of [image.config, ...image.layers]) {
        await dest.putBlob(Readable.from([b.bytes]), {
          digest: b.digest,
          size: b.bytes.length,
        });
      }
      await dest.putManifest({
        bytes: image.manifest,
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      });
      const m = await (await ref.newImageSource(sys)).getManifest();
      expect(m.bytes.equals(image.manifest)).toBe(true);
      expect(
        await getRegistryClient({
          registry: registry.host,
          sys,
          certDir: registry.certDir!,
        }).ping(),
      ).toEqual({
        scheme: 'https',
        supportsSignatures: false,
      });
    });

    it('skips verification with --tls-verify=false', async () => {
      const client = getRegistryClient({
        registry: registry.host,
        sys: sysWith({}),
        tlsVerify: false,
      });
      expect((await client.ping()).scheme).toBe('https');
    });
  },
);

describeWithPeers('docker:// with a client certificate', ['registry'], () => {
  let registry: TestRegistry;
  const dispatcher = new Agent({ keepAliveTimeout: 10 });
  const contexts: DockerSystemContext[] = [];

  beforeAll(async () => {
    registry = await startRegistry({ tls: true, tlsClientAuth: true });
  });
  afterAll(async () => {
    await Promise.all(contexts.map((s) => closeRegistryClients(s)));
    await registry?.stop();
    await dispatcher.close();
  });

  it('presents client.cert/client.key from the cert dir', async () => {
    const sys: DockerSystemContext = { dispatcher };
    contexts.push(sys);
    const client = getRegistryClient({
      registry: registry.host,
      sys,
      certDir: registry.certDir!,
    });
    expect((await client.ping()).scheme).toBe('https');
  });

  it('is refused without a client certificate', async () => {
    const caOnly = await tempDir();
    await copyFile(join(registry.certDir!, 'ca.crt'), join(caOnly, 'ca.crt'));
    const sys: DockerSystemContext = { dispatcher };
    contexts.push(sys);
    const client = getRegistryClient({
      registry: registry.host,
      sys,
      certDir: caOnly,
    });
    await expect(client.ping()).rejects.toMatchObject({ code: 'INCONCLUSIVE' });
  });
});
