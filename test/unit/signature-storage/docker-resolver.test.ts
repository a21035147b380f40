import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseNormalizedNamed } from '../../../src/reference/docker-reference.js';
import {
  recordingResolver,
  registriesDResolver,
  storeKind,
} from '../../../src/signature-storage/docker-resolver.js';
import { ExtensionAPIStore } from '../../../src/signature-storage/extension-api.js';
import { LookasideStore } from '../../../src/signature-storage/lookaside.js';
import type { RegistryClient } from '../../../src/transports/docker/registry-client.js';
import { tempDir } from '../../helpers/paths.js';

const digest = `sha256:${'2'.repeat(64)}`;

/** Just what the resolver uses of a registry client: ping() and request(). */
function fakeClient(supportsSignatures: boolean) {
  let pings = 0;
  const requests: { method: string; path: string }[] = [];
  const client = {
    registry: 'r.example.com',
    ping: () => {
      pings++;
      return Promise.resolve({ supportsSignatures, scheme: 'https' });
    },
    request: (o: { method: string; path: string }) => {
      requests.push({ method: o.method, path: o.path });
      return Promise.resolve(
        o.method === 'GET'
          ? { status: 200, body: Buffer.from('{"signatures":[]}') }
          : { status: 201, body: Buffer.alloc(0) },
      );
    },
  };
  return {
    client: client as unknown as RegistryClient,
    pings: () => pings,
    requests,
  };
}

describe('the docker:// signature store resolver', () => {
  it('uses the transport client: the extension API when the registry advertises it', async () => {
    const f = fakeClient(true);
    const resolve = registriesDResolver();
    const ref = parseNormalizedNamed('r.example.com/team/app:1');
    const store = await resolve({
      ref,
      client: f.client,
      sys: { registriesDirPath: await tempDir() },
      forWriting: true,
    });
    expect(store).toBeInstanceOf(ExtensionAPIStore);
    expect(storeKind(store!)).toBe('extension-api');
    await store!.add(ref, digest, [Buffer.from([0xa3, 1])]);
    expect(f.requests.map((r) => r.method)).toEqual(['GET', 'PUT']);
    expect(f.requests[1]!.path).toBe(
      `/extensions/v2/team/app/signatures/${digest}`,
    );
  });

  it('otherwise the lookaside of sys.registriesDirPath', async () => {
    const conf = await tempDir();
    const sigs = await tempDir();
    await writeFile(
      join(conf, 'a.yaml'),
      `docker:\n  r.example.com/team:\n    lookaside: file://${sigs}\n`,
    );
    const store = await registriesDResolver()({
      ref: parseNormalizedNamed('r.example.com/team/app:1'),
      client: fakeClient(false).client,
      sys: { registriesDirPath: conf },
      forWriting: false,
    });
    expect(store).toBeInstanceOf(LookasideStore);
    expect(storeKind(store!)).toBe('lookaside');
    expect(
      store!.describe(parseNormalizedNamed('r.example.com/team/app:1'), digest),
    ).toBe(`lookaside file://${sigs}/team/app@sha256=${'2'.repeat(64)}/`);
  });

  it('a configuration error is reported, and the next call reads the directory again', async () => {
    const conf = await tempDir();
    await writeFile(join(conf, 'a.yaml'), 'docker: [');
    const resolve = registriesDResolver();
    const options = {
      ref: parseNormalizedNamed('r.example.com/team/app:1'),
      client: fakeClient(false).client,
      sys: { registriesDirPath: conf },
      forWriting: false,
    };
    await expect(resolve(options)).rejects.toMatchObject({
      code: 'REGISTRIES_D_FORMAT',
    });
    await writeFile(join(conf, 'a.yaml'), '{}');
    await expect(resolve(options)).resolves.toBeInstanceOf(LookasideStore);
  });

  it('the recording wrapper keeps the kind and records reads and writes with their locations', async () => {
    const conf = await tempDir();
    const sigs = await tempDir();
    await writeFile(
      join(conf, 'a.yaml'),
      `default-docker:\n  lookaside: file://${sigs}\n`,
    );
    const recorder = recordingResolver();
    const ref = parseNormalizedNamed('r.example.com/team/app:1');
    const store = await recorder.resolver({
      ref,
      client: fakeClient(false).client,
      sys: { registriesDirPath: conf },
      forWriting: true,
    });
    expect(storeKind(store!)).toBe('lookaside');
    const written = await store!.add(ref, digest, [Buffer.from([0xa3, 7])]);
    const path = join(sigs, `team/app@sha256=${'2'.repeat(64)}/signature-1`);
    expect(written).toEqual([`file://${path}`]);
    expect(await readFile(path)).toEqual(Buffer.from([0xa3, 7]));
    expect(await store!.read(ref, digest)).toHaveLength(1);
    expect(recorder.writes).toEqual([
      {
        image: 'r.example.com/team/app:1',
        digest,
        kind: 'lookaside',
        store: `lookaside file://${sigs}/team/app@sha256=${'2'.repeat(64)}/`,
        locations: [`file://${path}`],
      },
    ]);
    expect(recorder.reads).toMatchObject([{ digest, count: 1 }]);
    expect(recorder.describeRead(ref)).toContain(`lookaside file://${sigs}`);
  });
});
