import { Readable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Agent } from 'undici';
import { runCli } from '../helpers/cli.js';
import { describeWithPeers } from '../helpers/peers.js';
import {
  makeSmallImage,
  startRegistry,
  type SmallImage,
  type TestRegistry,
} from '../servers/registry.js';
import { dockerTransport } from '../../src/transports/docker/docker-transport.js';

describeWithPeers('imgsign delete', ['registry'], () => {
  let registry: TestRegistry;
  const dispatcher = new Agent({ keepAliveTimeout: 10 });
  const push = async (tag: string, image: SmallImage): Promise<void> => {
    const dest = await dockerTransport
      .parseReference(`//${registry.host}/ns/del:${tag}`)
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
  };
  const manifestStatus = async (ref: string): Promise<string> => {
    const src = await dockerTransport
      .parseReference(`//${registry.host}/ns/del${ref}`)
      .newImageSource({ dispatcher });
    return src.getManifest().then(
      () => 'present',
      (err: { code?: string }) => err.code ?? 'error',
    );
  };

  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry?.stop();
    await dispatcher.close();
  });

  it('deletes the manifest a tag points to, and reports its digest', async () => {
    const a = await makeSmallImage('delete me\n');
    const b = await makeSmallImage('keep me\n');
    await push('a', a);
    await push('b', b);
    const r = await runCli([
      'delete',
      '--json',
      `docker://${registry.host}/ns/del:a`,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      image: `${registry.host}/ns/del`,
      digest: a.manifestDigest,
    });
    expect(await manifestStatus(`@${a.manifestDigest}`)).toBe('NOT_FOUND');
    expect(await manifestStatus(':b')).toBe('present');
  });

  it('deletes by digest', async () => {
    const c = await makeSmallImage('by digest\n');
    await push('c', c);
    const r = await runCli([
      'delete',
      `docker://${registry.host}/ns/del@${c.manifestDigest}`,
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      `Deleted ${registry.host}/ns/del@${c.manifestDigest}`,
    );
    expect(await manifestStatus(':c')).toBe('NOT_FOUND');
  });

  it('reports a missing image', async () => {
    const r = await runCli([
      'delete',
      `docker://${registry.host}/ns/del:never-pushed`,
    ]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/MANIFEST_UNKNOWN|HTTP 404/);
  });

  it('rejects other transports', async () => {
    const r = await runCli(['delete', 'dir:/tmp/x']);
    expect(r.code).toBe(2);
  });
});

describeWithPeers('imgsign delete with token auth', ['registry'], () => {
  let registry: TestRegistry;
  const dispatcher = new Agent({ keepAliveTimeout: 10 });
  beforeAll(async () => {
    registry = await startRegistry({ auth: 'token' });
  });
  afterAll(async () => {
    await registry?.stop();
    await dispatcher.close();
  });

  it('asks for the delete scope and removes the image', async () => {
    const sys = {
      dispatcher,
      dockerCredentials: {
        username: registry.username!,
        password: registry.password!,
      },
    };
    const image = await makeSmallImage('token delete\n');
    const ref = dockerTransport.parseReference(`//${registry.host}/ns/tok:v1`);
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
    const r = await runCli([
      'delete',
      `--creds=${registry.username}:${registry.password}`,
      `docker://${registry.host}/ns/tok:v1`,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(
      registry.tokenIssuer!.requests.some((q) =>
        q.scopes.includes('repository:ns/tok:pull,push,delete'),
      ),
    ).toBe(true);
    await expect(
      (await ref.newImageSource(sys)).getManifest(),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
