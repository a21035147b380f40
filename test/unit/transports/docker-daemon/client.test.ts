import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { DockerEngineClient } from '../../../../src/transports/docker-daemon/client.js';
import { tempDir } from '../../../helpers/paths.js';
import { readAll } from '../tarfile/image-builder.js';

interface Seen {
  method: string;
  url: string;
  body: Buffer;
}

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** A fake engine on a unix socket answering every request with `status` and `body`. */
async function fakeEngine(
  status: number,
  body: string,
): Promise<{ host: string; seen: Seen[] }> {
  const socket = join(await tempDir(), 'engine.sock');
  const seen: Seen[] = [];
  server = createServer((req, res) => {
    void readAll(req).then((b) => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', body: b });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server!.listen(socket, resolve));
  return { host: `unix://${socket}`, seen };
}

describe('DockerEngineClient', () => {
  it('streams the tar to POST /images/load and returns the messages', async () => {
    const engine = await fakeEngine(
      200,
      '{"stream":"Loaded image: a:1\\n"}\r\n{"stream":"Loaded image: b:2"}',
    );
    const client = new DockerEngineClient(engine.host);
    const messages = await client.imageLoad(
      Readable.from([Buffer.from('TAR')]),
    );
    await client.close();
    expect(messages).toEqual(['Loaded image: a:1', 'Loaded image: b:2']);
    expect(engine.seen).toMatchObject([
      { method: 'POST', url: '/images/load?quiet=1' },
    ]);
    expect(engine.seen[0]?.body.toString()).toBe('TAR');
  });

  it('fails when a 200 load answer carries an error (docker reports errors in-band)', async () => {
    const engine = await fakeEngine(
      200,
      '{"errorDetail":{"message":"invalid diffID for layer 0"},"error":"invalid diffID for layer 0"}',
    );
    const client = new DockerEngineClient(engine.host);
    await expect(
      client.imageLoad(Readable.from([Buffer.from('TAR')])),
    ).rejects.toThrow(/refused the image: invalid diffID for layer 0/);
    await client.close();
  });

  it('fails on unparsable load output', async () => {
    const engine = await fakeEngine(200, '{"stream": "cut off');
    const client = new DockerEngineClient(engine.host);
    await expect(
      client.imageLoad(Readable.from([Buffer.from('TAR')])),
    ).rejects.toThrow(/unparsable load output/);
    await client.close();
  });

  it('exports by name with GET /images/{name}/get, and maps 404 to NOT_FOUND', async () => {
    const ok = await fakeEngine(200, 'tar bytes');
    let client = new DockerEngineClient(ok.host);
    expect(
      (await readAll(await client.imageSave('example.com/a/b:1'))).toString(),
    ).toBe('tar bytes');
    await client.close();
    expect(ok.seen[0]?.url).toBe('/images/example.com/a/b%3A1/get');
    await new Promise((resolve) => server?.close(resolve));

    const missing = await fakeEngine(404, '{"message":"No such image: x:1"}');
    client = new DockerEngineClient(missing.host);
    await expect(client.imageSave('x:1')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringMatching(/HTTP 404: No such image: x:1/),
    });
    await client.close();
  });

  it.each([
    ['unix://relative.sock', /absolute/],
    ['ssh://host', /only unix:\/\/ and tcp:\/\//],
    ['npipe:////./pipe/docker_engine', /only unix/],
  ])('rejects DOCKER_HOST %s', (host, message) => {
    expect(() => new DockerEngineClient(host)).toThrow(message);
  });
});
