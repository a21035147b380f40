import {
  chmod,
  mkdir,
  mkdtemp,
  readFile,
  rm,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PolicyContext } from '../../src/policy/context.js';
import { parsePolicy } from '../../src/policy/parse.js';
import { verifyImages } from '../../src/policy/verify-images.js';
import type { DockerSystemContext } from '../../src/transports/docker/docker-system-context.js';
import { describeWithPeers } from '../helpers/peers.js';
import {
  makeSmallImage,
  startRegistry,
  writeDirImage,
  type TestRegistry,
} from '../servers/registry.js';
import {
  type GpgKey,
  type SkopeoVerdict,
  makeGpgKey,
  registriesDir,
  skopeoCopy,
  skopeoStandaloneSign,
  skopeoVerdict,
  stopGpgAgent,
} from './sign-push-setup.js';

/**
 * Differential test against skopeo on a real loopback docker-registry: a
 * generated matrix of policies (every requirement and signedIdentity type,
 * keyPath/keyPaths/keyData, a wrong key, scopes at identity, repository,
 * namespace, host and wildcard level against the transport default and the
 * global default) × references (by tag and by digest) to images whose
 * signatures (made by gpg primary keys through `skopeo standalone-sign`,
 * claiming various identities) sit in a file: lookaside configured by a
 * registries.d directory given to both tools. imgsign's verdict (in process:
 * PolicyContext + the real docker:// source + the real lookaside) must equal
 * `skopeo copy --policy` from that registry, case by case.
 *
 * The same registry is also addressed as `localhost:PORT`, a different
 * registry domain for both tools, so host scopes and identities can differ
 * from `127.0.0.1:PORT`. For an IP host, containers/image strips the port
 * and offers the wildcard namespaces `*.0.0.1`, `*.0.1` and `*.1`; the
 * matrix includes those, a port-qualified wildcard and non-matching ones.
 *
 * Signatures also come damaged: an unrecognisable blob first (both tools
 * reject the image: the signature list cannot be read) and a corrupted
 * OpenPGP signature before a valid one (both accept: one accepted signature
 * is enough).
 *
 * Left out on purpose: signatures made by signing subkeys (skopeo 1.9's
 * gpgme verifier in Debian rejects them while current containers/image
 * accepts them, a version difference rather than a policy difference).
 */

type Verdict = SkopeoVerdict;

interface Case {
  name: string;
  policy: object;
  /** docker reference, without `docker://`. */
  image: string;
}

interface Keys {
  a: string;
  b: string;
  aData: string;
  aFpr: string;
  bFpr: string;
}

/** One image on the registry and the identities its signatures claim. */
interface Pushed {
  repo: string;
  tag: string;
  digest: string;
}

describeWithPeers(
  'policy evaluation equals skopeo copy --policy from a loopback registry',
  ['skopeo', 'registry', 'gpg'],
  () => {
    let registry: TestRegistry;
    let work: string;
    let registriesD: string;
    let keys: Keys;
    const pushed = new Map<string, Pushed>();
    let all: Case[] = [];
    const verdicts = new Map<number, Verdict>();

    let ka: GpgKey | undefined;
    let kb: GpgKey | undefined;

    beforeAll(async () => {
      work = await mkdtemp(join(tmpdir(), 'imgsign-policy-diff-registry-'));
      await chmod(work, 0o755);
      registry = await startRegistry();
      const port = registry.host.split(':')[1]!;
      const H = registry.host;
      const L = `localhost:${port}`;
      const lookaside = join(work, 'lookaside');
      await mkdir(lookaside);
      registriesD = await registriesDir(
        join(work, 'registries.d'),
        `docker:\n  ${H}:\n    lookaside: file://${lookaside}\n` +
          `  ${L}:\n    lookaside: file://${lookaside}\n`,
      );
      ka = await makeGpgKey(work, 'a', 'signer-a@example.com');
      kb = await makeGpgKey(work, 'b', 'signer-b@example.com');
      keys = {
        a: ka.publicKeyFile,
        b: kb.publicKeyFile,
        aData: (await readFile(ka.publicKeyFile)).toString('base64'),
        aFpr: ka.fingerprint,
        bFpr: kb.fingerprint,
      };

      // name → [registry, repo, tag, signatures as [key, claimed identity]]
      // (`@` in a claim is replaced by the image's digest).
      const A = ka;
      const B = kb;
      const images: [string, string, string, string, [typeof A, string][]][] = [
        ['exact', H, 'team/app', 'exact', [[A, `${H}/team/app:exact`]]],
        ['othertag', H, 'team/app', 'othertag', [[A, `${H}/team/app:v2`]]],
        [
          'otherrepo',
          H,
          'team/app',
          'otherrepo',
          [[A, `${H}/team/other:otherrepo`]],
        ],
        ['digest', H, 'team/app', 'digest', [[A, `${H}/team/app@`]]],
        [
          'remap',
          H,
          'team/app',
          'remap',
          [[A, 'vendor.example.com/team/app:remap']],
        ],
        ['unsigned', H, 'team/app', 'unsigned', []],
        [
          'wrongkey',
          H,
          'team/app',
          'wrongkey',
          [[B, `${H}/team/app:wrongkey`]],
        ],
        [
          'mixed',
          H,
          'team/app',
          'mixed',
          [
            [B, `${H}/team/app:mixed`],
            [A, `${H}/team/app:elsewhere`],
          ],
        ],
        [
          'deep',
          H,
          'team/sub/deep',
          'exact',
          [[A, `${H}/team/sub/deep:exact`]],
        ],
        ['local', L, 'loc/app', 'exact', [[A, `${L}/loc/app:exact`]]],
        // An unreadable signature first: the valid second one is enough.
        [
          'garbage',
          H,
          'team/app',
          'garbage',
          [
            [A, 'GARBAGE'],
            [A, `${H}/team/app:garbage`],
          ],
        ],
        // A damaged OpenPGP signature first: the valid second one is enough.
        [
          'corrupt',
          H,
          'team/app',
          'corrupt',
          [
            [A, `CORRUPT ${H}/team/app:corrupt`],
            [A, `${H}/team/app:corrupt`],
          ],
        ],
        // Named without a tag: the reference means :latest.
        ['latest', H, 'team/app', 'latest', [[A, `${H}/team/app:latest`]]],
        ['local-as-ip', L, 'loc/app', 'ipclaim', [[A, `${H}/loc/app:ipclaim`]]],
      ];
      let n = 0;
      await Promise.all(
        images.map(async ([name, host, repo, tag, sigs]) => {
          const img = await makeSmallImage(`image ${name} ${n++}\n`);
          const dir = join(work, 'src', name);
          await writeDirImage(dir, img);
          await skopeoCopy(`dir:${dir}`, `docker://${host}/${repo}:${tag}`);
          const sigDir = join(
            lookaside,
            `${repo}@${img.manifestDigest.replace(':', '=')}`,
          );
          await mkdir(sigDir, { recursive: true });
          for (const [i, [key, claim]] of sigs.entries()) {
            if (claim === 'GARBAGE') {
              await writeFile(
                join(sigDir, `signature-${i + 1}`),
                'not an OpenPGP message',
              );
              continue;
            }
            const corrupt = claim.startsWith('CORRUPT ');
            const bare = claim.replace(/^CORRUPT /, '');
            const identity = bare.endsWith('@')
              ? `${bare}${img.manifestDigest}`
              : bare;
            const out = join(sigDir, `signature-${i + 1}`);
            await skopeoStandaloneSign(key, dir, identity, out);
            if (corrupt) {
              // Flip a byte of the signature value at the end of the message.
              const bytes = await readFile(out);
              bytes[bytes.length - 5] = bytes[bytes.length - 5]! ^ 0xff;
              await writeFile(out, bytes);
            }
          }
          pushed.set(name, {
            repo: `${host}/${repo}`,
            tag,
            digest: img.manifestDigest,
          });
        }),
      );
      all = cases(H, L);

      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < all.length) {
          const i = next++;
          const c = all[i]!;
          const policyPath = join(work, `policy-${i}.json`);
          await writeFile(policyPath, JSON.stringify(c.policy));
          verdicts.set(
            i,
            await skopeoVerdict(work, c.image, policyPath, registriesD),
          );
        }
      };
      await Promise.all([worker(), worker(), worker(), worker()]);
    }, 600_000);

    afterAll(async () => {
      await stopGpgAgent(ka);
      await stopGpgAgent(kb);
      await registry?.stop();
      if (work) await rm(work, { recursive: true, force: true });
    });

    /** `name` by tag, `name@` by digest, `name!` without tag or digest. */
    function ref(name: string): string {
      const form = /[@!]$/.test(name) ? name.slice(-1) : '';
      const p = pushed.get(form ? name.slice(0, -1) : name);
      if (!p) throw new Error(`no pushed image ${name}`);
      if (form === '@') return `${p.repo}@${p.digest}`;
      return form === '!' ? p.repo : `${p.repo}:${p.tag}`;
    }

    function cases(H: string, L: string): Case[] {
      const signedBy = (extra: object, key = keys.a) => ({
        type: 'signedBy',
        keyType: 'GPGKeys',
        keyPath: key,
        ...extra,
      });
      const id = (signedIdentity: object) => ({ signedIdentity });
      const accept = { type: 'insecureAcceptAnything' };
      const reject = { type: 'reject' };
      const requirementSets: Record<string, object[]> = {
        accept: [accept],
        reject: [reject],
        matchRepoDigestOrExact: [signedBy({})],
        'matchRepoDigestOrExact explicit': [
          signedBy(id({ type: 'matchRepoDigestOrExact' })),
        ],
        matchExact: [signedBy(id({ type: 'matchExact' }))],
        matchRepository: [signedBy(id({ type: 'matchRepository' }))],
        'exactReference exact': [
          signedBy(
            id({
              type: 'exactReference',
              dockerReference: `${H}/team/app:exact`,
            }),
          ),
        ],
        'exactReference v2': [
          signedBy(
            id({ type: 'exactReference', dockerReference: `${H}/team/app:v2` }),
          ),
        ],
        'exactRepository team/app': [
          signedBy(
            id({ type: 'exactRepository', dockerRepository: `${H}/team/app` }),
          ),
        ],
        'exactRepository team/other': [
          signedBy(
            id({
              type: 'exactRepository',
              dockerRepository: `${H}/team/other`,
            }),
          ),
        ],
        'remapIdentity namespace': [
          signedBy(
            id({
              type: 'remapIdentity',
              prefix: `${H}/team`,
              signedPrefix: 'vendor.example.com/team',
            }),
          ),
        ],
        'remapIdentity host': [
          signedBy(
            id({
              type: 'remapIdentity',
              prefix: H,
              signedPrefix: 'vendor.example.com',
            }),
          ),
        ],
        'remapIdentity not applying': [
          signedBy(
            id({
              type: 'remapIdentity',
              prefix: `${H}/elsewhere`,
              signedPrefix: 'vendor.example.com/team',
            }),
          ),
        ],
        'remapIdentity localhost to ip': [
          signedBy(id({ type: 'remapIdentity', prefix: L, signedPrefix: H })),
        ],
        'keyPaths [b, a]': [
          {
            type: 'signedBy',
            keyType: 'GPGKeys',
            keyPaths: [keys.b, keys.a],
          },
        ],
        'keyData a': [
          { type: 'signedBy', keyType: 'GPGKeys', keyData: keys.aData },
        ],
        'wrong key b': [signedBy({}, keys.b)],
        'accept and signed': [accept, signedBy({})],
        'signed and reject': [signedBy({}), reject],
        // Only on a sample of images (below):
        'exactReference by digest': [
          signedBy(
            id({
              type: 'exactReference',
              dockerReference: `${H}/team/app@${pushed.get('digest')?.digest}`,
            }),
          ),
        ],
        'missing key file': [signedBy({}, join(work, 'no-such-key.gpg'))],
        'keyData not a key': [
          { type: 'signedBy', keyType: 'GPGKeys', keyData: 'bm9uc2Vuc2U=' },
        ],
        signedBaseLayer: [
          {
            type: 'signedBaseLayer',
            baseLayerIdentity: {
              type: 'exactRepository',
              dockerRepository: `${H}/team/app`,
            },
          },
        ],
      };
      const sampled = new Set([
        'accept',
        'reject',
        'exactReference by digest',
        'missing key file',
        'keyData not a key',
        'signedBaseLayer',
        'matchRepoDigestOrExact explicit',
      ]);
      const refs = [
        'exact',
        'othertag',
        'otherrepo',
        'digest',
        'remap',
        'unsigned',
        'wrongkey',
        'mixed',
        'deep',
        'local',
        'local-as-ip',
        'garbage',
        'corrupt',
        'latest',
      ];
      const out: Case[] = [];
      for (const [name, reqs] of Object.entries(requirementSets)) {
        for (const r of refs) {
          for (const form of r === 'latest' ? ['!', '@'] : ['', '@']) {
            // These do not depend much on the image: a sample suffices.
            if (
              sampled.has(name) &&
              !['exact', 'unsigned', 'digest'].includes(r)
            ) {
              continue;
            }
            out.push({
              name: `default ${name}`,
              policy: { default: reqs },
              image: ref(r + form),
            });
          }
        }
      }

      // Scope precedence (the transport's scopes vs "" vs default),
      // each with a signedBy somewhere so signatures still matter.
      const sA = [signedBy({})];
      const scopePolicies: [string, object, string[]][] = [
        ['host scope', { [H]: sA }, ['exact', 'unsigned@', 'local']],
        [
          'namespace beats host',
          { [H]: [reject], [`${H}/team`]: sA },
          ['exact', 'exact@', 'deep', 'unsigned', 'local'],
        ],
        [
          'repository beats namespace',
          { [`${H}/team`]: [reject], [`${H}/team/app`]: [accept] },
          ['exact', 'unsigned@', 'deep'],
        ],
        [
          'deeper namespace beats namespace',
          { [`${H}/team`]: [reject], [`${H}/team/sub`]: sA },
          ['deep', 'deep@', 'exact'],
        ],
        [
          'tag identity beats repository',
          { [`${H}/team/app`]: [reject], [`${H}/team/app:unsigned`]: [accept] },
          ['unsigned', 'unsigned@', 'exact'],
        ],
        [
          'digest identity scope',
          {
            [`${H}/team/app`]: [reject],
            [`${H}/team/app@${pushed.get('unsigned')?.digest}`]: [accept],
          },
          ['unsigned', 'unsigned@', 'exact@'],
        ],
        [
          'transport default',
          { '': [accept], [`${H}/team/app`]: sA },
          ['unsigned', 'exact', 'deep', 'local'],
        ],
        [
          'not a path-component prefix',
          { [`${H}/team/ap`]: [accept] },
          ['unsigned', 'exact'],
        ],
        [
          'wildcard *.0.0.1',
          { '*.0.0.1': [accept] },
          ['unsigned', 'unsigned@', 'local'],
        ],
        ['wildcard *.0.1', { '*.0.1': sA }, ['unsigned', 'exact', 'local']],
        ['wildcard *.1', { '*.1': [accept] }, ['unsigned', 'local']],
        [
          'wildcard with port',
          { [`*.0.0.1:${H.split(':')[1]}`]: [accept] },
          ['unsigned', 'exact'],
        ],
        [
          'host beats wildcard',
          { '*.0.0.1': [accept], [H]: sA },
          ['unsigned', 'exact'],
        ],
        [
          'narrower wildcard beats wider',
          { '*.1': [reject], '*.0.0.1': [accept] },
          ['unsigned', 'exact'],
        ],
        [
          'wildcard beats transport default',
          { '': [reject], '*.0.1': [accept] },
          ['unsigned', 'local'],
        ],
        [
          'non-matching wildcards',
          { '*.example.com': [reject], '*.localhost': [reject], '*': [reject] },
          ['unsigned', 'local'],
        ],
        ['port-less host', { '127.0.0.1': [accept] }, ['unsigned', 'exact@']],
        [
          'localhost host scope',
          { [L]: [accept], localhost: [reject] },
          ['local', 'unsigned'],
        ],
        [
          'localhost namespace, remapped to ip identity',
          {
            [`${L}/loc`]: [
              signedBy(
                id({ type: 'remapIdentity', prefix: L, signedPrefix: H }),
              ),
            ],
          },
          ['local', 'local-as-ip', 'local-as-ip@'],
        ],
      ];
      for (const [name, docker, imgs] of scopePolicies) {
        for (const [dflt, dreqs] of [
          ['reject', [reject]],
          ['accept', [accept]],
        ] as const) {
          for (const r of imgs) {
            out.push({
              name: `${name} (default ${dflt})`,
              policy: { default: dreqs, transports: { docker } },
              image: ref(r),
            });
          }
        }
      }
      // Scopes of other transports never apply to docker://.
      for (const r of ['exact', 'unsigned']) {
        out.push({
          name: 'only other transports scoped',
          policy: {
            default: [reject],
            transports: { atomic: { [H]: [accept] }, dir: { '': [accept] } },
          },
          image: ref(r),
        });
      }
      return out;
    }

    async function imgsignVerdict(c: Case): Promise<Verdict> {
      let context: PolicyContext;
      try {
        context = new PolicyContext(
          parsePolicy(JSON.stringify(c.policy), 'policy.json'),
        );
      } catch {
        return 'invalid-policy';
      }
      const sys: DockerSystemContext = {
        registriesDirPath: registriesD,
        dockerTlsVerify: false,
      };
      const [result] = await verifyImages([{ image: `docker://${c.image}` }], {
        context,
        sys,
      });
      // A network or I/O failure is no verdict: fail rather than count it.
      expect(result?.inconclusive, result?.error).toBe(false);
      return result?.allowed ? 'accept' : 'reject';
    }

    it('covers at least 200 cases with both verdicts in numbers', () => {
      expect(all.length).toBeGreaterThanOrEqual(200);
      const counts = { accept: 0, reject: 0, 'invalid-policy': 0 };
      for (const v of verdicts.values()) counts[v]++;
      if (process.env['IMGSIGN_DEBUG_DIFF']) {
        const rows = all.map(
          (c, i) => `${verdicts.get(i)}\t${c.name}\t${c.image}`,
        );
        console.log(JSON.stringify(counts) + '\n' + rows.join('\n'));
      }
      expect(counts.accept).toBeGreaterThanOrEqual(50);
      expect(counts.reject).toBeGreaterThanOrEqual(50);
    });

    it('imgsign agrees with skopeo on every case', async () => {
      const disagreements: string[] = [];
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < all.length) {
          const i = next++;
          const c = all[i]!;
          const ours = await imgsignVerdict(c);
          if (ours !== verdicts.get(i)) {
            disagreements.push(
              `case ${i} ${c.name}, ${c.image}: imgsign ${ours}, skopeo ${verdicts.get(i)} (${JSON.stringify(c.policy)})`,
            );
          }
        }
      };
      await Promise.all([worker(), worker(), worker(), worker()]);
      expect(disagreements).toEqual([]);
    }, 120_000);
  },
);
