import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import {
  startFaultProxy,
  type FaultProxy,
  type FaultRule,
} from '../helpers/fault-proxy.js';
import { describeWithPeers } from '../helpers/peers.js';
import { startRegistry, type TestRegistry } from '../servers/registry.js';
import {
  expectOk,
  expectOneLineFailure,
  imgsign,
  listTree,
  makeDemoImage,
  withRules,
  esc,
} from './fault-setup.js';

/**
 * Pushing dir: → docker:// through a registry that fails blob uploads or
 * the manifest PUT: the copy fails in one line with exit 3, the manifest is
 * never sent after a failed blob, the registry has no tag, and a signing
 * push writes no signature.
 */
describeWithPeers('when a push to docker:// fails', ['registry'], () => {
  let registry: TestRegistry;
  let proxy: FaultProxy;
  let work: string;
  let image: string;
  let layerDigest: string;
  let env: Record<string, string>;
  let registriesD: string;
  let lookaside: string;

  beforeAll(async () => {
    registry = await startRegistry();
    proxy = await startFaultProxy(registry.url);
    work = await mkdtemp(join(tmpdir(), 'imgsign-faults-push-'));
    image = join(work, 'img');
    ({ layerDigest } = await makeDemoImage(image, 64 * 1024));
    env = {
      HOME: join(work, 'home'),
      IMGSIGN_HOME: join(work, 'imgsign-home'),
    };
    const key = await runCli(
      ['key', 'generate', '--name', 'Faults', '--email', 'faults@example.com'],
      { env },
    );
    expect(key.code, key.stderr).toBe(0);
    lookaside = join(work, 'lookaside');
    registriesD = join(work, 'registries.d');
    await mkdir(lookaside);
    await mkdir(registriesD);
    await writeFile(
      join(registriesD, 'faults.yaml'),
      `docker:\n  ${proxy.host}:\n    lookaside: file://${lookaside}\n`,
    );
  });
  afterAll(async () => {
    await proxy?.stop();
    await registry?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  /** The tags of `repo` on the registry itself, not through the proxy. */
  async function tagsOnRegistry(repo: string): Promise<string[]> {
    const res = await fetch(`${registry.url}/v2/${repo}/tags/list`);
    if (res.status === 404) return [];
    expect(res.status).toBe(200);
    return ((await res.json()) as { tags: string[] | null }).tags ?? [];
  }
  const manifestPuts = () =>
    proxy.requests.filter(
      (r) => r.method === 'PUT' && /\/manifests\//.test(r.path),
    );
  const uploads = (repo: string) =>
    new RegExp(`^/v2/${esc(repo)}/blobs/uploads/`);

  const blobFaults: { name: string; rules: (repo: string) => FaultRule[] }[] = [
    {
      name: 'every blob upload PUT/PATCH answers 500',
      rules: (repo) =>
        ['PUT', 'PATCH'].map((method) => ({
          method,
          path: uploads(repo),
          times: Infinity,
          fault: {
            status: 500,
            body: '{"errors":[{"code":"UNKNOWN","message":"storage full"}]}',
            headers: { 'content-type': 'application/json' },
          },
        })),
    },
    {
      name: 'every blob upload PUT/PATCH is reset',
      rules: (repo) =>
        ['PUT', 'PATCH'].map((method) => ({
          method,
          path: uploads(repo),
          times: Infinity,
          fault: { reset: 'before-response' as const },
        })),
    },
    {
      name: 'every blob existence check (HEAD) is reset',
      rules: (repo) => [
        {
          method: 'HEAD',
          path: new RegExp(`^/v2/${esc(repo)}/blobs/sha256:`),
          times: Infinity,
          fault: { reset: 'before-response' as const },
        },
      ],
    },
    {
      name: 'opening every blob upload (POST) answers 500',
      rules: (repo) => [
        {
          method: 'POST',
          path: uploads(repo),
          times: Infinity,
          fault: { status: 500 },
        },
      ],
    },
  ];

  for (const [i, f] of blobFaults.entries()) {
    for (const retries of ['0', '2']) {
      it(`${f.name}: no manifest PUT, no tag (--retry-times ${retries})`, async () => {
        const repo = `faults/push-blob-${i}-${retries}`;
        const r = await withRules(proxy, f.rules(repo), () =>
          imgsign([
            'copy',
            '--retry-times',
            retries,
            `dir:${image}`,
            `docker://${proxy.host}/${repo}:v1`,
          ]),
        );
        expectOneLineFailure(
          r,
          3,
          new RegExp(
            `blob sha256:[0-9a-f]{64} .*${esc(proxy.host)}/${esc(repo)}`,
          ),
        );
        expect(proxy.requests.some((q) => q.faulted)).toBe(true);
        expect(manifestPuts()).toEqual([]);
        // Retries are bounded: per blob at most 1 + --retry-times tries of a
        // request, never the client's and the pipeline's budgets multiplied.
        const perBlob = 1 + Number(retries);
        for (const method of ['POST', 'PUT', 'PATCH', 'HEAD']) {
          expect(
            proxy.requests.filter((q) => q.faulted && q.method === method)
              .length,
          ).toBeLessThanOrEqual(2 * perBlob);
        }
        expect(await tagsOnRegistry(repo)).toEqual([]);
      });
    }
  }

  it('a manifest PUT reset every time fails in one line naming the image and leaves no tag', async () => {
    const repo = 'faults/push-manifest-reset';
    const r = await withRules(
      proxy,
      [
        {
          method: 'PUT',
          path: new RegExp(`^/v2/${esc(repo)}/manifests/`),
          times: Infinity,
          fault: { reset: 'before-response' },
        },
      ],
      () =>
        imgsign([
          'copy',
          '--retry-times',
          '1',
          `dir:${image}`,
          `docker://${proxy.host}/${repo}:v1`,
        ]),
    );
    expectOneLineFailure(
      r,
      3,
      new RegExp(`writing manifest to ${esc(proxy.host)}/${esc(repo)}:v1: `),
    );
    expect(manifestPuts().map((q) => q.status)).toEqual(['reset', 'reset']);
    expect(await tagsOnRegistry(repo)).toEqual([]);
  });

  it('a manifest PUT answering 500 fails in one line, leaves no tag and writes no signature', async () => {
    const repo = 'faults/push-manifest';
    const rules: FaultRule[] = [
      {
        method: 'PUT',
        path: new RegExp(`^/v2/${esc(repo)}/manifests/`),
        times: Infinity,
        fault: {
          status: 500,
          body: '{"errors":[{"code":"UNKNOWN","message":"database down"}]}',
          headers: { 'content-type': 'application/json' },
        },
      },
    ];
    const signed = [
      'copy',
      '--registries.d',
      registriesD,
      '--sign-by',
      'faults@example.com',
      `dir:${image}`,
      `docker://${proxy.host}/${repo}:v1`,
    ];
    const r = await withRules(proxy, rules, () => imgsign(signed, env));
    expectOneLineFailure(
      r,
      3,
      new RegExp(
        `${esc(proxy.host)}/${esc(repo)}:v1.*HTTP 500 \\(UNKNOWN: database down\\)`,
      ),
    );
    expect(manifestPuts().length).toBeGreaterThan(0);
    expect(manifestPuts().every((q) => q.status === 500)).toBe(true);
    // The blobs went up before the manifest; the tag did not.
    const layer = await fetch(
      `${registry.url}/v2/${repo}/blobs/${layerDigest}`,
      {
        method: 'HEAD',
      },
    );
    expect(layer.status).toBe(200);
    expect(await tagsOnRegistry(repo)).toEqual([]);
    expect(await listTree(lookaside)).toEqual([]);

    // The same push without the fault tags the image and writes its signature there.
    await expectOk(
      imgsign(signed, env).then((res) => ({ ...res, stdout: '' })),
    );
    expect(await tagsOnRegistry(repo)).toEqual(['v1']);
    expect(
      (await listTree(lookaside)).some((p) => /signature-1 /.test(p)),
    ).toBe(true);
  });
});
