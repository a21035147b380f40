import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  startFaultProxy,
  type Fault,
  type FaultProxy,
  type FaultRule,
} from '../helpers/fault-proxy.js';
import { describeWithPeers } from '../helpers/peers.js';
import { startRegistry, type TestRegistry } from '../servers/registry.js';
import {
  expectOk,
  expectOneLineFailure,
  imgsign,
  makeDemoImage,
  skopeoCopy,
  withRules,
  esc,
} from './fault-setup.js';

/**
 * Pushing through a registry whose first one or two answers to a blob
 * upload, upload start, blob check or manifest PUT are 503 or a reset:
 * `--retry-times 2` pushes the image (tagged, same digest), `--retry-times 0`
 * fails in one line with no tag, and wherever skopeo 1.9 recovers through
 * the same rules, imgsign does too. Every push uses a fresh image so that
 * neither tool can mount blobs it pushed before.
 */
describeWithPeers(
  'when a push to docker:// meets transient faults',
  ['registry', 'skopeo'],
  () => {
    let registry: TestRegistry;
    let proxy: FaultProxy;
    let work: string;
    let n = 0;
    beforeAll(async () => {
      registry = await startRegistry();
      proxy = await startFaultProxy(registry.url);
      work = await mkdtemp(join(tmpdir(), 'imgsign-faults-push-t-'));
    });
    afterAll(async () => {
      await proxy?.stop();
      await registry?.stop();
      if (work) await rm(work, { recursive: true, force: true });
    });

    /** A fresh image (new random layer) and a fresh repository name. */
    async function fresh(): Promise<{
      dir: string;
      repo: string;
      digest: string;
    }> {
      n++;
      const dir = join(work, `img-${n}`);
      const { manifestDigest } = await makeDemoImage(dir, 48 * 1024);
      return { dir, repo: `faults/push-t-${n}`, digest: manifestDigest };
    }

    async function tagDigest(repo: string): Promise<string | undefined> {
      const res = await fetch(`${registry.url}/v2/${repo}/manifests/v1`, {
        method: 'HEAD',
        headers: {
          accept: 'application/vnd.docker.distribution.manifest.v2+json',
        },
      });
      return res.status === 200
        ? (res.headers.get('docker-content-digest') ?? undefined)
        : undefined;
    }

    const unavailable: Fault = {
      status: 503,
      headers: { 'retry-after': '0' },
    };
    const faults: [string, Fault][] = [
      ['503', unavailable],
      ['a reset', { reset: 'before-response' }],
    ];
    const targets: [string, (repo: string) => FaultRule['path'], string[]][] = [
      [
        'blob upload PUT/PATCH',
        (r) => new RegExp(`^/v2/${esc(r)}/blobs/uploads/.`),
        ['PUT', 'PATCH'],
      ],
      [
        'upload start (POST)',
        (r) => new RegExp(`^/v2/${esc(r)}/blobs/uploads/$`),
        ['POST'],
      ],
      [
        'blob check (HEAD)',
        (r) => new RegExp(`^/v2/${esc(r)}/blobs/sha256:`),
        ['HEAD'],
      ],
      ['manifest PUT', (r) => new RegExp(`^/v2/${esc(r)}/manifests/`), ['PUT']],
    ];
    const outcomes: { name: string; skopeo: boolean }[] = [];
    let cases = 0;

    for (const [what, path, methods] of targets) {
      for (const [fname, fault] of faults) {
        for (const times of [1, 2]) {
          cases++;
          const name = `the first ${times} ${what} answers are ${fname}`;
          // One rule per method: each method gets `times` faults.
          const rules = (repo: string): FaultRule[] =>
            methods.map((method) => ({
              method,
              path: path(repo),
              times,
              fault,
            }));

          it(`${name}: --retry-times 2 pushes, --retry-times 0 fails with no tag`, async () => {
            const ok = await fresh();
            await withRules(proxy, rules(ok.repo), () =>
              expectOk(
                imgsign([
                  'copy',
                  '--retry-times',
                  '2',
                  `dir:${ok.dir}`,
                  `docker://${proxy.host}/${ok.repo}:v1`,
                ]),
              ),
            );
            expect(proxy.requests.some((q) => q.faulted)).toBe(true);
            expect(await tagDigest(ok.repo)).toBe(ok.digest);

            const no = await fresh();
            const r = await withRules(proxy, rules(no.repo), () =>
              imgsign([
                'copy',
                '--retry-times',
                '0',
                `dir:${no.dir}`,
                `docker://${proxy.host}/${no.repo}:v1`,
              ]),
            );
            expectOneLineFailure(
              r,
              3,
              new RegExp(`${esc(proxy.host)}/${esc(no.repo)}`),
            );
            expect(await tagDigest(no.repo)).toBeUndefined();

            const sk = await fresh();
            const s = await withRules(proxy, rules(sk.repo), () =>
              skopeoCopy([
                '--retry-times',
                '2',
                `dir:${sk.dir}`,
                `docker://${proxy.host}/${sk.repo}:v1`,
              ]),
            );
            outcomes.push({ name, skopeo: s.code === 0 });
          });
        }
      }
    }

    it('recovers wherever skopeo recovers', () => {
      console.log(
        outcomes
          .map((o) => `${o.name}: imgsign true, skopeo ${o.skopeo}`)
          .join('\n'),
      );
      // Every case above pushed with imgsign before recording skopeo's outcome.
      expect(outcomes).toHaveLength(cases);
      expect(outcomes.some((o) => o.skopeo)).toBe(true);
    });
  },
);
