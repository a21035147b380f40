import { Readable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Agent } from 'undici';
import { runCli } from '../helpers/cli.js';
import { describeWithPeers } from '../helpers/peers.js';
import {
  makeSmallImage,
  startRegistry,
  type TestRegistry,
} from '../servers/registry.js';
import { dockerTransport } from '../../src/transports/docker/docker-transport.js';

describeWithPeers('imgsign list-tags', ['registry'], () => {
  let registry: TestRegistry;
  const dispatcher = new Agent({ keepAliveTimeout: 10 });
  beforeAll(async () => {
    registry = await startRegistry();
    const image = await makeSmallImage();
    for (const tag of ['v1', 'v2']) {
      const dest = await dockerTransport
        .parseReference(`//${registry.host}/ns/app:${tag}`)
        .newImageDestination({ dispatcher });
      for (const b of [image.config, ...image.layers]) {
        const info = { digest: b.digest, size: b.bytes.length };
        if (!(await dest.tryReusingBlob(info)))
          await dest.putBlob(Readable.from([b.bytes]), info);
      }
      await dest.putManifest({
        bytes: image.manifest,
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      });
    }
  });
  afterAll(async () => {
    await registry?.stop();
    await dispatcher.close();
  });

  it('prints every tag as skopeo does (--json shape)', async () => {
    const r = await runCli([
      'list-tags',
      '--json',
      '--tls-verify=false',
      `docker://${registry.host}/ns/app`,
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.Repository).toBe(`${registry.host}/ns/app`);
    expect([...out.Tags].sort()).toEqual(['v1', 'v2']);
  });

  it('prints the same JSON without --json', async () => {
    const r = await runCli(['list-tags', `docker://${registry.host}/ns/app`]);
    expect(r.code).toBe(0);
    expect([...JSON.parse(r.stdout).Tags].sort()).toEqual(['v1', 'v2']);
  });

  it('rejects a reference with a tag', async () => {
    const r = await runCli([
      'list-tags',
      `docker://${registry.host}/ns/app:v1`,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/tag or digest/);
  });

  it('reports an unknown repository', async () => {
    const r = await runCli([
      'list-tags',
      `docker://${registry.host}/ns/missing`,
    ]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/NAME_UNKNOWN/);
  });
});
