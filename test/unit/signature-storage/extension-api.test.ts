import { describe, expect, it } from 'vitest';
import { parseNormalizedNamed } from '../../../src/reference/docker-reference.js';
import {
  ExtensionAPIStore,
  type SignatureAPIClient,
} from '../../../src/signature-storage/extension-api.js';

const digest = `sha256:${'c'.repeat(64)}`;
const ref = parseNormalizedNamed('reg.example.com/ns/app:1');
const path = `/extensions/v2/ns/app/signatures/${digest}`;

type Req = Parameters<SignatureAPIClient['request']>[0];

/** A scripted client: `answer` sees every request in turn. */
function fakeClient(
  answer: (req: Req) => { status: number; body?: unknown },
): SignatureAPIClient & { requests: Req[] } {
  const requests: Req[] = [];
  return {
    registry: 'reg.example.com',
    requests,
    request(req) {
      requests.push(req);
      const a = answer(req);
      const body =
        a.body === undefined
          ? Buffer.alloc(0)
          : Buffer.isBuffer(a.body)
            ? a.body
            : Buffer.from(JSON.stringify(a.body));
      return Promise.resolve({ status: a.status, body });
    },
  };
}

const entry = (content: string, extra: object = {}) => ({
  schemaVersion: 2,
  type: 'atomic',
  name: `${digest}@${'0'.repeat(32)}`,
  content: Buffer.from(content).toString('base64'),
  ...extra,
});

describe('reading', () => {
  it('GETs the list with pull scope and returns usable entries in order', async () => {
    const client = fakeClient(() => ({
      status: 200,
      body: {
        signatures: [
          entry('one'),
          entry('other-type', { type: 'AtomicImageV1' }),
          entry('old', { schemaVersion: 1 }),
          {
            schemaVersion: 2,
            type: 'atomic',
            version: 2,
            content: Buffer.from('two').toString('base64'),
            extra: true,
          },
        ],
      },
    }));
    const sigs = await new ExtensionAPIStore(client).read(ref, digest);
    expect(sigs.map(String)).toEqual(['one', 'two']);
    expect(client.requests).toEqual([
      {
        method: 'GET',
        path,
        repository: 'ns/app',
        actions: ['pull'],
        maxBodyBytes: 4 * 1024 * 1024,
      },
    ]);
  });

  it('treats a missing signatures member as no signatures', async () => {
    const client = fakeClient(() => ({ status: 200, body: {} }));
    expect(await new ExtensionAPIStore(client).read(ref, digest)).toEqual([]);
  });
});

describe('writing', () => {
  it('PUTs each new signature once as schemaVersion 2 atomic with a fresh name and push scope', async () => {
    const client = fakeClient((req) =>
      req.method === 'GET'
        ? { status: 200, body: { signatures: [entry('exists')] } }
        : { status: 201 },
    );
    const store = new ExtensionAPIStore(client);
    const written = await store.add(ref, digest, [
      Buffer.from('exists'),
      Buffer.from('new'),
      Buffer.from('new'),
    ]);
    const puts = client.requests.filter((r) => r.method === 'PUT');
    expect(puts).toHaveLength(1);
    const put = puts[0]!;
    expect(put).toMatchObject({
      path,
      repository: 'ns/app',
      actions: ['pull', 'push'],
      headers: { 'content-type': 'application/json' },
    });
    const body = JSON.parse(String(put.body));
    expect(Object.keys(body)).toEqual([
      'schemaVersion',
      'name',
      'type',
      'content',
    ]);
    expect(body.schemaVersion).toBe(2);
    expect(body.type).toBe('atomic');
    expect(body.name).toMatch(new RegExp(`^${digest}@[0-9a-f]{32}$`));
    expect(Buffer.from(body.content, 'base64').toString()).toBe('new');
    expect(written).toEqual([`reg.example.com${path} (${body.name})`]);
  });

  it('gives different signatures different names', async () => {
    const client = fakeClient((req) =>
      req.method === 'GET'
        ? { status: 200, body: { signatures: [] } }
        : { status: 201 },
    );
    await new ExtensionAPIStore(client).add(ref, digest, [
      Buffer.from('a'),
      Buffer.from('b'),
    ]);
    const names = client.requests
      .filter((r) => r.method === 'PUT')
      .map((r) => (JSON.parse(String(r.body)) as { name: string }).name);
    expect(names).toHaveLength(2);
    expect(names[0]).not.toBe(names[1]);
  });

  it('reads nothing and writes nothing for an invalid digest', async () => {
    const client = fakeClient(() => ({ status: 200, body: {} }));
    await expect(
      new ExtensionAPIStore(client).add(ref, 'sha256:../../x', [
        Buffer.from('a'),
      ]),
    ).rejects.toMatchObject({ code: 'UNSAFE_PATH' });
    expect(client.requests).toEqual([]);
  });
});
