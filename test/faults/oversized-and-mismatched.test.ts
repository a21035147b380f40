import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { MAX_MANIFEST_BYTES } from '../../src/manifest/media-types.js';
import type { FaultRule } from '../helpers/fault-proxy.js';
import { tempDir } from '../helpers/paths.js';
import { describeWithPeers } from '../helpers/peers.js';
import {
  expectOneLineFailure,
  imgsign,
  listTree,
  paths,
  useFaultWorld,
  withRules,
  esc,
} from './fault-setup.js';

/**
 * Answers that claim more than imgsign will take, or bytes that are not the
 * blob: refused from the headers (the claimed body is never sent, so a
 * client that tried to buffer it would hang instead of failing) or while
 * streaming, with exit 1 and nothing written.
 */
describeWithPeers(
  'when a registry claims too much or sends other bytes',
  ['registry'],
  () => {
    const world = useFaultWorld('faults/oversized', 32 * 1024);
    let p: ReturnType<typeof paths>;
    beforeAll(() => {
      p = paths(world);
    });
    const huge = String(64 * 1024 * 1024 * 1024);

    async function pullFails(
      rules: FaultRule[],
      code: number,
      names: RegExp,
    ): Promise<void> {
      const t = await tempDir();
      const r = await withRules(world.proxy, rules, () =>
        imgsign(['copy', world.viaProxy, `dir:${join(t, 'd')}`]),
      );
      expectOneLineFailure(r, code, names);
      expect(await listTree(t)).toEqual([]);
    }

    it(`refuses a manifest whose Content-Length is over the ${MAX_MANIFEST_BYTES}-byte cap`, async () => {
      await pullFails(
        [
          {
            method: 'GET',
            path: p.manifest,
            fault: {
              status: 200,
              headers: {
                'content-type':
                  'application/vnd.docker.distribution.manifest.v2+json',
                'content-length': String(MAX_MANIFEST_BYTES + 1),
              },
            },
          },
        ],
        1,
        new RegExp(
          `manifest ${esc(world.proxy.host)}/faults/oversized:v1: .*${MAX_MANIFEST_BYTES}-byte limit`,
        ),
      );
    });

    it('refuses a blob whose Content-Length is not the size in the manifest', async () => {
      await pullFails(
        [
          {
            method: 'GET',
            path: p.layer,
            fault: { status: 200, headers: { 'content-length': huge } },
          },
        ],
        1,
        new RegExp(`blob ${esc(world.layerDigest)} .*sends ${huge} bytes`),
      );
    });

    it('refuses a blob whose bytes (right length) hash to another digest', async () => {
      const layer = await readFile(
        join(
          world.registry.storageDir,
          'docker/registry/v2/blobs/sha256',
          world.layerDigest.slice(7, 9),
          world.layerDigest.slice(7),
          'data',
        ),
      );
      await pullFails(
        [
          {
            method: 'GET',
            path: p.layer,
            fault: {
              status: 200,
              body: 'x'.repeat(layer.length),
              headers: { 'content-length': String(layer.length) },
            },
          },
        ],
        1,
        new RegExp(
          `blob ${esc(world.layerDigest)} from docker://${esc(world.proxy.host)}/faults/oversized:v1: content has digest sha256:`,
        ),
      );
    });
  },
);
