import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import type { FaultRule } from '../helpers/fault-proxy.js';
import { tempDir } from '../helpers/paths.js';
import { describeWithPeers } from '../helpers/peers.js';
import {
  expectOk,
  expectOneLineFailure,
  imgsign,
  listTree,
  makeDemoImage,
  paths,
  useFaultWorld,
  withRules,
  esc,
} from './fault-setup.js';

/**
 * Pulling through a registry that fails for good: every copy exits with
 * the documented code and one stderr line naming the image or blob, and the
 * destination is left exactly as it was (no manifest, blob or temp file).
 */
describeWithPeers(
  'when a pull from docker:// fails for good',
  ['registry'],
  () => {
    const world = useFaultWorld('faults/pull', 256 * 1024);
    let p: ReturnType<typeof paths>;
    beforeAll(() => {
      p = paths(world);
    });

    interface Case {
      name: string;
      rules: () => FaultRule[];
      code: number;
      names: () => RegExp;
    }
    /** The blob and the image it comes from. */
    const blob = () =>
      new RegExp(
        `blob ${esc(world.layerDigest)} from docker://${esc(world.proxy.host)}/faults/pull:v1`,
      );
    const image = () => new RegExp(`${esc(world.proxy.host)}/faults/pull`);
    const cases: Case[] = [
      {
        name: 'the layer GET is reset mid-body',
        rules: () => [
          {
            method: 'GET',
            path: p.layer,
            times: Infinity,
            fault: { reset: 'mid-body', afterBytes: 10_000 },
          },
        ],
        code: 3,
        names: blob,
      },
      {
        name: 'the layer body has one byte flipped (same length)',
        rules: () => [
          {
            method: 'GET',
            path: p.layer,
            times: Infinity,
            fault: { corrupt: 5000 },
          },
        ],
        code: 1,
        names: blob,
      },
      {
        name: 'the manifest body is truncated',
        rules: () => [
          {
            method: 'GET',
            path: p.manifest,
            times: Infinity,
            fault: { truncate: 100 },
          },
        ],
        code: 3,
        names: image,
      },
      {
        name: 'the manifest GET answers 500 every time',
        rules: () => [
          {
            method: 'GET',
            path: p.manifest,
            times: Infinity,
            fault: {
              status: 500,
              body: '{"errors":[{"code":"UNKNOWN","message":"disk on fire"}]}',
              headers: { 'content-type': 'application/json' },
            },
          },
        ],
        code: 3,
        names: image,
      },
    ];

    for (const c of cases) {
      for (const retries of ['0', '2']) {
        it(`${c.name}: dir: and oci: stay as they were (--retry-times ${retries})`, async () => {
          const t = await tempDir();
          // An oci: layout that already holds another image, and a dir: that does not exist yet.
          await makeDemoImage(join(t, 'other'), 1024);
          await expectOk(
            imgsign([
              'copy',
              `dir:${join(t, 'other')}`,
              `oci:${join(t, 'layout')}:old`,
            ]),
          );
          const before = await listTree(t);
          for (const dest of [
            `dir:${join(t, 'dir')}`,
            `oci:${join(t, 'layout')}:new`,
          ]) {
            const r = await withRules(world.proxy, c.rules(), () =>
              imgsign(['copy', '--retry-times', retries, world.viaProxy, dest]),
            );
            expectOneLineFailure(r, c.code, c.names());
            expect(await listTree(t)).toEqual(before);
          }
        });
      }
    }

    it('a layer GET answering 500 every time is asked 1 + --retry-times times, not more', async () => {
      for (const retries of [0, 2]) {
        const t = await tempDir();
        const r = await withRules(
          world.proxy,
          [
            {
              method: 'GET',
              path: p.layer,
              times: Infinity,
              fault: { status: 500 },
            },
          ],
          () =>
            imgsign([
              'copy',
              '--retry-times',
              String(retries),
              world.viaProxy,
              `dir:${t}/d`,
            ]),
        );
        expectOneLineFailure(
          r,
          3,
          new RegExp(
            `blob ${esc(world.layerDigest)} from ${esc(world.proxy.host)}/faults/pull: HTTP 500`,
          ),
        );
        expect(
          world.proxy.requests.filter((q) => p.layer.test(q.path)),
        ).toHaveLength(1 + retries);
      }
    });

    it('with --json the failure is the documented JSON error on stdout and nothing on stderr', async () => {
      const t = await tempDir();
      const r = await withRules(
        world.proxy,
        [
          {
            method: 'GET',
            path: p.layer,
            times: Infinity,
            fault: { reset: 'mid-body', afterBytes: 10_000 },
          },
        ],
        () => imgsign(['copy', '--json', world.viaProxy, `dir:${t}/d`]),
      );
      expect(r.stderr).toBe('');
      expect(r.code).toBe(3);
      const out = JSON.parse(r.stdout) as {
        error: { code: string; message: string };
      };
      expect(out.error.code).toBe('INCONCLUSIVE');
      expect(out.error.message).toMatch(blob());
      expect(out.error.message).not.toContain('\n');
      expect(await listTree(t)).toEqual([]);
    });
  },
);
