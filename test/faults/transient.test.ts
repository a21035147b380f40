import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import type { Fault, FaultRule } from '../helpers/fault-proxy.js';
import { tempDir } from '../helpers/paths.js';
import { describeWithPeers } from '../helpers/peers.js';
import {
  expectOk,
  expectOneLineFailure,
  imgsign,
  listTree,
  paths,
  skopeoCopy,
  useFaultWorld,
  withRules,
  esc,
} from './fault-setup.js';

/**
 * A registry that fails the first one or two answers of a GET and then
 * recovers: `--retry-times 2` copies the image (each retry one more request,
 * no more), `--retry-times 0` (the default, as in skopeo) fails cleanly, and
 * wherever skopeo 1.9 recovers through the same proxy and rules, imgsign
 * recovers too.
 */
describeWithPeers(
  'when a pull from docker:// meets transient faults',
  ['registry', 'skopeo'],
  () => {
    const world = useFaultWorld('faults/transient', 128 * 1024);
    let p: ReturnType<typeof paths>;
    beforeAll(() => {
      p = paths(world);
    });

    const unavailable: Fault = {
      status: 503,
      body: '{"errors":[{"code":"UNAVAILABLE","message":"try again"}]}',
      headers: { 'content-type': 'application/json', 'retry-after': '0' },
    };
    const faults: [string, Fault][] = [
      ['503', unavailable],
      ['a reset before the response', { reset: 'before-response' }],
    ];
    type Target = 'layer' | 'manifest' | 'ping';
    const targets: [Target, string][] = [
      ['layer', 'blob GET'],
      ['manifest', 'manifest GET'],
    ];
    const cases: {
      name: string;
      target: Target;
      times: number;
      fault: Fault;
    }[] = [];
    for (const [target, what] of [
      ...targets,
      ['ping', 'GET /v2/'] as [Target, string],
    ]) {
      for (const [name, fault] of faults) {
        for (const times of [1, 2]) {
          cases.push({
            name: `the first ${times} ${what} answers are ${name}`,
            target,
            times,
            fault,
          });
        }
      }
    }
    for (const [target, what] of targets) {
      cases.push(
        {
          name: `the first ${what} is reset mid-body`,
          target,
          times: 1,
          fault: { reset: 'mid-body', afterBytes: 200 },
        },
        {
          name: `the first ${what} is truncated`,
          target,
          times: 1,
          fault: { truncate: 200 },
        },
      );
    }

    const rulesFor = (c: (typeof cases)[number]): FaultRule[] => [
      { method: 'GET', path: p[c.target], times: c.times, fault: c.fault },
    ];
    const hits = (c: (typeof cases)[number]) =>
      world.proxy.requests.filter(
        (r) => r.method === 'GET' && p[c.target].test(r.path),
      ).length;

    const outcomes: { name: string; imgsign: boolean; skopeo: boolean }[] = [];
    for (const c of cases) {
      it(`${c.name}: --retry-times 2 copies, --retry-times 0 fails, skopeo does no better`, async () => {
        const t = await tempDir();
        await withRules(world.proxy, rulesFor(c), () =>
          expectOk(
            imgsign([
              'copy',
              '--retry-times',
              '2',
              world.viaProxy,
              `dir:${t}/ok`,
            ]),
          ),
        );
        expect(hits(c)).toBe(c.times + 1);
        const manifest = await readFile(join(t, 'ok/manifest.json'));
        expect(
          `sha256:${createHash('sha256').update(manifest).digest('hex')}`,
        ).toBe(world.manifestDigest);

        const before = await listTree(t);
        const failed = await withRules(world.proxy, rulesFor(c), () =>
          imgsign([
            'copy',
            '--retry-times',
            '0',
            world.viaProxy,
            `dir:${t}/no`,
          ]),
        );
        expect(hits(c)).toBe(1);
        expectOneLineFailure(
          failed,
          3,
          c.target === 'layer'
            ? new RegExp(
                `blob ${esc(world.layerDigest)} .*${esc(world.proxy.host)}/faults/transient`,
              )
            : new RegExp(
                `manifest ${esc(world.proxy.host)}/faults/transient:v1`,
              ),
        );
        expect(await listTree(t)).toEqual(before);

        // skopeo through the same proxy and rules, same retry budget.
        const sk = await withRules(world.proxy, rulesFor(c), () =>
          skopeoCopy(['--retry-times', '2', world.viaProxy, `dir:${t}/skopeo`]),
        );
        outcomes.push({ name: c.name, imgsign: true, skopeo: sk.code === 0 });
      });
    }

    it('recovers wherever skopeo recovers', () => {
      console.log(
        outcomes
          .map((o) => `${o.name}: imgsign ${o.imgsign}, skopeo ${o.skopeo}`)
          .join('\n'),
      );
      expect(outcomes).toHaveLength(cases.length);
      expect(outcomes.filter((o) => o.skopeo && !o.imgsign)).toEqual([]);
      // skopeo 1.9 retries a copy after a connection reset: the comparison is not vacuous.
      expect(outcomes.some((o) => o.skopeo)).toBe(true);
    });
  },
);
