import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeDirList, type MadeList } from '../fixtures/make-images.js';
import {
  startFaultProxy,
  type Fault,
  type FaultProxy,
} from '../helpers/fault-proxy.js';
import { tempDir } from '../helpers/paths.js';
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
 * `copy --all` of a two-platform list through the fault proxy: a failing
 * instance (manifest or layer) fails the whole copy with the destination
 * untouched, and a push never sends the list's tag after a failed instance.
 */
describeWithPeers(
  'when a manifest list copy meets faults',
  ['registry'],
  () => {
    let registry: TestRegistry;
    let proxy: FaultProxy;
    let work: string;
    let list: MadeList;
    beforeAll(async () => {
      registry = await startRegistry();
      proxy = await startFaultProxy(registry.url);
      work = await mkdtemp(join(tmpdir(), 'imgsign-faults-list-'));
      list = await makeDirList(join(work, 'list'), [
        { os: 'linux', architecture: 'amd64' },
        { os: 'linux', architecture: 'arm64', variant: 'v8' },
      ]);
      await expectOk(
        imgsign([
          'copy',
          '--all',
          `dir:${list.dir}`,
          `docker://${registry.host}/faults/list:v1`,
        ]),
      );
    });
    afterAll(async () => {
      await proxy?.stop();
      await registry?.stop();
      if (work) await rm(work, { recursive: true, force: true });
    });

    const second = () => list.instances[1]!;
    const src = () => `docker://${proxy.host}/faults/list:v1`;

    const pullFaults: [string, () => RegExp, Fault, number, () => RegExp][] = [
      [
        "the second instance's manifest GET answers 500",
        () =>
          new RegExp(
            `^/v2/faults/list/manifests/${esc(second().manifestDigest)}$`,
          ),
        { status: 500 },
        3,
        () =>
          new RegExp(
            `${esc(proxy.host)}/faults/list@${esc(second().manifestDigest)}`,
          ),
      ],
      [
        "the second instance's manifest is truncated",
        () =>
          new RegExp(
            `^/v2/faults/list/manifests/${esc(second().manifestDigest)}$`,
          ),
        { truncate: 50 },
        3,
        () =>
          new RegExp(
            `${esc(proxy.host)}/faults/list@${esc(second().manifestDigest)}`,
          ),
      ],
      [
        "the second instance's layer is corrupted",
        () =>
          new RegExp(
            `^/v2/faults/list/blobs/${esc(second().layers[0]!.digest)}$`,
          ),
        { corrupt: 10 },
        1,
        () =>
          new RegExp(
            `blob ${esc(second().layers[0]!.digest)} from ${esc(src())}`,
          ),
      ],
    ];
    for (const [name, path, fault, code, names] of pullFaults) {
      it(`${name}: copy --all fails and dir:/oci: stay as they were`, async () => {
        const t = await tempDir();
        await makeDemoImage(join(t, 'other'), 1024);
        await expectOk(
          imgsign(['copy', `dir:${t}/other`, `oci:${t}/layout:old`]),
        );
        const before = await listTree(t);
        for (const dest of [`dir:${t}/dir`, `oci:${t}/layout:new`]) {
          const r = await withRules(
            proxy,
            [{ method: 'GET', path: path(), times: Infinity, fault }],
            () => imgsign(['copy', '--all', '--retry-times', '1', src(), dest]),
          );
          expectOneLineFailure(r, code, names());
          expect(await listTree(t)).toEqual(before);
        }
      });
    }

    it("an instance manifest PUT answering 500: the list's tag is never sent", async () => {
      const repo = 'faults/list-push';
      const r = await withRules(
        proxy,
        [
          {
            method: 'PUT',
            path: new RegExp(
              `^/v2/${repo}/manifests/${esc(second().manifestDigest)}$`,
            ),
            times: Infinity,
            fault: { status: 500 },
          },
        ],
        () =>
          imgsign([
            'copy',
            '--all',
            `dir:${list.dir}`,
            `docker://${proxy.host}/${repo}:v1`,
          ]),
      );
      expectOneLineFailure(
        r,
        3,
        new RegExp(
          `${esc(proxy.host)}/${repo}@${esc(second().manifestDigest)}`,
        ),
      );
      expect(
        proxy.requests.filter(
          (q) => q.method === 'PUT' && q.path === `/v2/${repo}/manifests/v1`,
        ),
      ).toEqual([]);
      const tags = await fetch(`${registry.url}/v2/${repo}/tags/list`);
      expect(
        tags.status === 404 ||
          ((await tags.json()) as { tags: string[] | null }).tags === null,
      ).toBe(true);
    });
  },
);
