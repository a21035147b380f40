import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  startFaultProxy,
  type Fault,
  type FaultProxy,
} from '../helpers/fault-proxy.js';
import { describeWithPeers } from '../helpers/peers.js';
import { startRegistry, type TestRegistry } from '../servers/registry.js';
import {
  expectOk,
  expectOneLineFailure,
  imgsign,
  paths,
  useFaultWorld,
  withRules,
  esc,
} from './fault-setup.js';

/**
 * docker:// → docker:// where the source fails while its layer streams
 * into the destination's upload: the upload is abandoned, the destination
 * registry never receives the manifest (nor the bad layer), and a single
 * fault is survived with --retry-times.
 */
describeWithPeers(
  'when the source registry fails during a registry-to-registry copy',
  ['registry'],
  () => {
    const world = useFaultWorld('faults/r2r', 256 * 1024);
    let dest: TestRegistry;
    let destProxy: FaultProxy;
    let p: ReturnType<typeof paths>;
    let n = 0;
    beforeAll(async () => {
      p = paths(world);
      dest = await startRegistry();
      destProxy = await startFaultProxy(dest.url);
    });
    afterAll(async () => {
      await destProxy?.stop();
      await dest?.stop();
    });

    async function onDest(path: string): Promise<number> {
      const res = await fetch(`${dest.url}${path}`, {
        method: 'HEAD',
        headers: {
          accept: 'application/vnd.docker.distribution.manifest.v2+json',
        },
      });
      return res.status;
    }

    const faults: [string, Fault, number][] = [
      ['has one byte flipped', { corrupt: 100_000 }, 1],
      ['is reset mid-body', { reset: 'mid-body', afterBytes: 100_000 }, 3],
      ['is truncated', { truncate: 100_000 }, 3],
    ];
    for (const [name, fault, code] of faults) {
      it(`a layer that ${name} leaves the destination without manifest or layer`, async () => {
        const repo = `copied/r2r-${++n}`;
        destProxy.requests.length = 0;
        const r = await withRules(
          world.proxy,
          [{ method: 'GET', path: p.layer, times: Infinity, fault }],
          () =>
            imgsign([
              'copy',
              '--retry-times',
              '1',
              world.viaProxy,
              `docker://${destProxy.host}/${repo}:v1`,
            ]),
        );
        expectOneLineFailure(
          r,
          code,
          new RegExp(`blob ${esc(world.layerDigest)}`),
        );
        expect(
          destProxy.requests.filter(
            (q) => q.method === 'PUT' && q.path.includes('/manifests/'),
          ),
        ).toEqual([]);
        expect(await onDest(`/v2/${repo}/manifests/v1`)).toBe(404);
        expect(await onDest(`/v2/${repo}/blobs/${world.layerDigest}`)).toBe(
          404,
        );
      });
    }

    it('a layer reset mid-body once is copied again with --retry-times 1', async () => {
      const repo = `copied/r2r-${++n}`;
      await withRules(
        world.proxy,
        [
          {
            method: 'GET',
            path: p.layer,
            fault: { reset: 'mid-body', afterBytes: 100_000 },
          },
        ],
        () =>
          expectOk(
            imgsign([
              'copy',
              '--retry-times',
              '1',
              world.viaProxy,
              `docker://${destProxy.host}/${repo}:v1`,
            ]),
          ),
      );
      const res = await fetch(`${dest.url}/v2/${repo}/manifests/v1`, {
        headers: {
          accept: 'application/vnd.docker.distribution.manifest.v2+json',
        },
      });
      expect(res.headers.get('docker-content-digest')).toBe(
        world.manifestDigest,
      );
      expect(await onDest(`/v2/${repo}/blobs/${world.layerDigest}`)).toBe(200);
    });
  },
);
