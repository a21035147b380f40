import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeDirList } from '../fixtures/make-images.js';
import { runCli } from '../helpers/cli.js';
import { describeWithPeers } from '../helpers/peers.js';
import { type TestRegistry, startRegistry } from '../servers/registry.js';
import {
  type RunningHttpServer,
  startStaticHttp,
} from '../servers/static-http.js';
import {
  type GpgKey,
  makeGpgKey,
  makeImage,
  run,
  signedByPolicy,
  stopGpgAgent,
} from './sign-push-setup.js';

interface Listing {
  store: string;
  storeKind: string;
  digest: string;
  signatures: {
    verified: boolean;
    fingerprint?: string;
    userId?: string;
    untrustedIdentity?: string;
    untrustedDigest?: string;
    untrustedTimestamp?: number;
    reason?: string;
  }[];
}

/**
 * End to end through a loopback docker-registry with a file lookaside
 * (registries.d in a temp dir, --registries.d): imgsign signs and pushes,
 * skopeo verifies; skopeo signs and pushes, imgsign lists and verifies;
 * reading the same lookaside over http; twenty concurrent signers; --all;
 * --dry-run.
 */
describeWithPeers(
  'copy --sign-by to docker:// with a registries.d lookaside, against skopeo',
  ['registry', 'skopeo', 'gpg'],
  () => {
    let work: string;
    let registry: TestRegistry;
    let web: RunningHttpServer;
    let good: GpgKey;
    let other: GpgKey;
    let staging: string;
    let registriesD: string;
    let registriesDHttp: string;
    let policyGood: string;
    let policyOther: string;
    let image: string;
    let digest: string;
    let env: Record<string, string>;

    const imgsign = (args: string[]) => runCli(args, { env });
    const skopeo = (args: string[]) =>
      run('skopeo', args, { env: { ...process.env, ...good.env } });
    const lookasideDir = (repo: string, d: string) =>
      join(staging, `${repo}@${d.replace(':', '=')}`);
    const skopeoPull = (policy: string, dirs: string, ref: string) =>
      skopeo([
        '--policy',
        policy,
        '--registries.d',
        dirs,
        'copy',
        '--src-tls-verify=false',
        `docker://${registry.host}/${ref}`,
        `dir:${join(work, `pull-${Math.random().toString(16).slice(2)}`)}`,
      ]);

    /** imgsign copy --sign-by-key-file dir:image → docker://REGISTRY/ref. */
    const signedPush = (ref: string, extra: string[] = []) =>
      imgsign([
        'copy',
        '--insecure-policy',
        '--registries.d',
        registriesD,
        '--dest-tls-verify=false',
        '--sign-by-key-file',
        good.secretKeyFile,
        ...extra,
        `dir:${image}`,
        `docker://${registry.host}/${ref}`,
      ]);

    beforeAll(async () => {
      work = await mkdtemp(join(tmpdir(), 'imgsign-sign-push-'));
      registry = await startRegistry();
      staging = join(work, 'staging');
      await mkdir(staging);
      web = await startStaticHttp(staging);
      good = await makeGpgKey(work, 'good', 'Signer <signer@example.com>');
      other = await makeGpgKey(work, 'other', 'Other <other@example.com>');
      registriesD = join(work, 'registries.d');
      await mkdir(registriesD);
      await writeFile(
        join(registriesD, 'test.yaml'),
        `docker:\n  ${registry.host}:\n    lookaside: file://${staging}\n`,
      );
      registriesDHttp = join(work, 'registries.d-http');
      await mkdir(registriesDHttp);
      await writeFile(
        join(registriesDHttp, 'test.yaml'),
        `docker:\n  ${registry.host}:\n    lookaside: ${web.url}\n    lookaside-staging: file://${staging}\n`,
      );
      policyGood = await signedByPolicy(
        join(work, 'good.json'),
        registry.host,
        good.publicKeyFile,
      );
      policyOther = await signedByPolicy(
        join(work, 'other.json'),
        registry.host,
        other.publicKeyFile,
      );
      image = join(work, 'image');
      digest = await makeImage(image);
      env = {
        ...good.env,
        HOME: join(work, 'home'),
        IMGSIGN_HOME: join(work, 'imgsign-home'),
      };
    });

    afterAll(async () => {
      await stopGpgAgent(good);
      await stopGpgAgent(other);
      await web?.close();
      await registry?.stop();
      if (work) await rm(work, { recursive: true, force: true });
    });

    it('imgsign signs and pushes; skopeo accepts it with the signer key and rejects it with another', async () => {
      const r = await imgsign([
        'copy',
        '--insecure-policy',
        '--registries.d',
        registriesD,
        '--dest-tls-verify=false',
        '--sign-by',
        good.fingerprint,
        `dir:${image}`,
        `docker://${registry.host}/team/app:v1`,
      ]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const sig1 = join(lookasideDir('team/app', digest), 'signature-1');
      expect(existsSync(sig1)).toBe(true);
      expect(r.stdout).toContain(
        `wrote 1 signature for ${digest} to lookaside file://${sig1}`,
      );
      await skopeoPull(policyGood, registriesD, 'team/app:v1');
      await expect(
        skopeoPull(policyOther, registriesD, 'team/app:v1'),
      ).rejects.toMatchObject({ stderr: expect.stringMatching(/signature/i) });
    });

    it('a second signature for the same digest is appended and reported in --json', async () => {
      expect((await signedPush('team/twice:v1')).code).toBe(0);
      const r = await signedPush('team/twice:v2', ['--json']);
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout) as {
        signatureWrites: {
          kind: string;
          digest: string;
          locations: string[];
        }[];
      };
      expect(out.signatureWrites).toEqual([
        expect.objectContaining({
          kind: 'lookaside',
          digest,
          locations: [
            `file://${join(lookasideDir('team/twice', digest), 'signature-2')}`,
          ],
        }),
      ]);
      await skopeoPull(policyGood, registriesD, 'team/twice:v2');
    });

    it('skopeo signs and pushes; imgsign signatures list verifies it and imgsign copy --policy accepts it', async () => {
      await skopeo([
        '--insecure-policy',
        '--registries.d',
        registriesD,
        'copy',
        '--dest-tls-verify=false',
        '--sign-by',
        good.fingerprint,
        `dir:${image}`,
        `docker://${registry.host}/team/sk:v1`,
      ]);
      const listed = await imgsign([
        'signatures',
        'list',
        `docker://${registry.host}/team/sk:v1`,
        '--registries.d',
        registriesD,
        '--tls-verify=false',
        '--public-key-file',
        good.publicKeyFile,
        '--json',
      ]);
      expect(listed.code).toBe(0);
      const listing = JSON.parse(listed.stdout) as Listing;
      expect(listing.storeKind).toBe('lookaside');
      expect(listing.store).toContain(`file://${staging}/team/sk@`);
      expect(listing.signatures).toEqual([
        expect.objectContaining({
          verified: true,
          fingerprint: good.fingerprint,
          userId: 'Signer <signer@example.com>',
          untrustedIdentity: `${registry.host}/team/sk:v1`,
          untrustedDigest: digest,
          untrustedTimestamp: expect.any(Number),
        }),
      ]);
      const listArgs = [
        'signatures',
        'list',
        `docker://${registry.host}/team/sk:v1`,
        '--registries.d',
        registriesD,
        '--tls-verify=false',
      ];
      const unknown = await runCli(listArgs, {
        env: { ...env, GNUPGHOME: join(work, 'no-gnupg') },
      });
      expect(unknown.code).toBe(0);
      expect(unknown.stdout).toMatch(/NOT VERIFIED[\s\S]*is not known/);
      // skopeo's signer keeps the key in GnuPG: found there without a key file.
      const viaGnuPG = await imgsign(listArgs);
      expect(viaGnuPG.stdout).toMatch(
        new RegExp(
          `VERIFIED\\n  signer: ${good.fingerprint} Signer <signer@example.com> \\(key from GnuPG `,
        ),
      );

      const out = join(work, 'sk-pulled');
      const accepted = await imgsign([
        'copy',
        '--policy',
        policyGood,
        '--registries.d',
        registriesD,
        '--src-tls-verify=false',
        `docker://${registry.host}/team/sk:v1`,
        `dir:${out}`,
      ]);
      expect(accepted.stderr).toBe('');
      expect(accepted.code).toBe(0);
      expect(accepted.stdout).toContain(
        `read 1 signature for ${digest} from lookaside file://${staging}/team/sk@`,
      );
      expect(accepted.stdout).toContain(
        `wrote 1 signature for ${digest} to dir ${join(out, 'signature-1')}`,
      );
      const rejected = await imgsign([
        'copy',
        '--policy',
        policyOther,
        '--registries.d',
        registriesD,
        '--src-tls-verify=false',
        `docker://${registry.host}/team/sk:v1`,
        `dir:${join(work, 'sk-rejected')}`,
      ]);
      expect(rejected.code).not.toBe(0);
      expect(rejected.stderr).toMatch(/rejected/i);
    });

    it('reads the lookaside over http (a static web server) while writing to the file staging', async () => {
      const w = await imgsign([
        'copy',
        '--insecure-policy',
        '--registries.d',
        registriesDHttp,
        '--dest-tls-verify=false',
        '--sign-by',
        good.fingerprint,
        `dir:${image}`,
        `docker://${registry.host}/team/web:v1`,
      ]);
      expect(w.code).toBe(0);
      expect(w.stdout).toContain(
        `to lookaside file://${join(lookasideDir('team/web', digest), 'signature-1')}`,
      );
      const before = web.requests.length;
      await skopeoPull(policyGood, registriesDHttp, 'team/web:v1');
      expect(web.requests.slice(before)).toContain(
        `/team/web@${digest.replace(':', '=')}/signature-1`,
      );
      const listed = await imgsign([
        'signatures',
        'list',
        `docker://${registry.host}/team/web:v1`,
        '--registries.d',
        registriesDHttp,
        '--tls-verify=false',
        '--public-key-file',
        good.publicKeyFile,
        '--json',
      ]);
      const listing = JSON.parse(listed.stdout) as Listing;
      expect(listing.store).toContain(`lookaside ${web.url}/team/web@`);
      expect(listing.signatures.map((s) => s.verified)).toEqual([true]);
      const pulled = await imgsign([
        'copy',
        '--policy',
        policyGood,
        '--registries.d',
        registriesDHttp,
        '--src-tls-verify=false',
        `docker://${registry.host}/team/web:v1`,
        `dir:${join(work, 'web-pulled')}`,
      ]);
      expect(pulled.code).toBe(0);
      expect(pulled.stdout).toContain(`from lookaside ${web.url}/team/web@`);
    });

    it('twenty concurrent copy --sign-by runs to one image leave twenty valid signatures', async () => {
      // Blobs pushed first: docker-registry itself can fail concurrent
      // first uploads of one blob (DIGEST_INVALID); the signers are the point.
      const first = await imgsign([
        'copy',
        '--insecure-policy',
        '--dest-tls-verify=false',
        `dir:${image}`,
        `docker://${registry.host}/team/many:v1`,
      ]);
      expect(first.code).toBe(0);
      const runs = await Promise.all(
        Array.from({ length: 20 }, () =>
          imgsign([
            'copy',
            '--insecure-policy',
            '--registries.d',
            registriesD,
            '--dest-tls-verify=false',
            '--sign-by-key-file',
            good.secretKeyFile,
            `dir:${image}`,
            `docker://${registry.host}/team/many:v1`,
          ]),
        ),
      );
      for (const r of runs) expect(r.stderr).toBe('');
      expect(runs.map((r) => r.code)).toEqual(Array(20).fill(0));
      const files = (await readdir(lookasideDir('team/many', digest))).sort();
      expect(files).toEqual(
        Array.from({ length: 20 }, (_, i) => `signature-${i + 1}`).sort(),
      );
      const listed = await imgsign([
        'signatures',
        'list',
        `docker://${registry.host}/team/many:v1`,
        '--registries.d',
        registriesD,
        '--tls-verify=false',
        '--public-key-file',
        good.publicKeyFile,
        '--json',
      ]);
      const listing = JSON.parse(listed.stdout) as Listing;
      expect(listing.signatures).toHaveLength(20);
      expect(listing.signatures.every((s) => s.verified)).toBe(true);
      await skopeoPull(policyGood, registriesD, 'team/many:v1');
    });

    it('--all signs the list and every instance; --sign-list-only only the list', async () => {
      const list = await makeDirList(
        join(work, 'list'),
        [
          { os: 'linux', architecture: 'amd64' },
          { os: 'linux', architecture: 'arm64', variant: 'v8' },
        ],
        { format: 'oci' },
      );
      const copy = (tag: string, extra: string[]) =>
        imgsign([
          'copy',
          '--all',
          '--insecure-policy',
          '--registries.d',
          registriesD,
          '--dest-tls-verify=false',
          '--sign-by-key-file',
          good.secretKeyFile,
          ...extra,
          '--json',
          `dir:${list.dir}`,
          `docker://${registry.host}/team/multi:${tag}`,
        ]);
      const all = await copy('v1', []);
      expect(all.code).toBe(0);
      const writes = (
        JSON.parse(all.stdout) as {
          signatureWrites: { digest: string; locations: string[] }[];
        }
      ).signatureWrites;
      expect(writes.map((w) => w.digest).sort()).toEqual(
        [
          list.manifestDigest,
          ...list.instances.map((i) => i.manifestDigest),
        ].sort(),
      );
      for (const inst of list.instances) {
        const listed = await imgsign([
          'signatures',
          'list',
          `docker://${registry.host}/team/multi@${inst.manifestDigest}`,
          '--registries.d',
          registriesD,
          '--tls-verify=false',
          '--public-key-file',
          good.publicKeyFile,
          '--json',
        ]);
        const listing = JSON.parse(listed.stdout) as Listing;
        expect(listing.digest).toBe(inst.manifestDigest);
        expect(listing.signatures).toEqual([
          expect.objectContaining({
            verified: true,
            untrustedIdentity: `${registry.host}/team/multi:v1`,
          }),
        ]);
      }
      const only = await copy('v2', ['--sign-list-only']);
      expect(only.code).toBe(0);
      const onlyWrites = (
        JSON.parse(only.stdout) as { signatureWrites: { digest: string }[] }
      ).signatureWrites;
      expect(onlyWrites.map((w) => w.digest)).toEqual([list.manifestDigest]);
    });

    it('--dry-run says whether the digest is kept, which signatures travel and where new ones would go, and writes nothing', async () => {
      const r = await imgsign([
        'copy',
        '--dry-run',
        '--insecure-policy',
        '--registries.d',
        registriesD,
        '--dest-tls-verify=false',
        '--sign-by-key-file',
        good.secretKeyFile,
        `dir:${image}`,
        `docker://${registry.host}/team/dry:v1`,
      ]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`manifest digest kept: ${digest}`);
      expect(r.stdout).toContain('signatures travelling from the source: none');
      expect(r.stdout).toContain(
        `would write 1 signature for ${digest} to lookaside file://${lookasideDir('team/dry', digest)}/`,
      );
      expect(existsSync(join(staging, 'team/dry'))).toBe(false);
      await expect(
        skopeo([
          'inspect',
          '--tls-verify=false',
          `docker://${registry.host}/team/dry:v1`,
        ]),
      ).rejects.toBeTruthy();

      expect((await signedPush('team/dryc:v1')).code).toBe(0);
      expect((await signedPush('team/dryc:v2')).code).toBe(0);
      const carried = await imgsign([
        'copy',
        '--dry-run',
        '--insecure-policy',
        '--registries.d',
        registriesD,
        '--src-tls-verify=false',
        `docker://${registry.host}/team/dryc:v1`,
        `dir:${join(work, 'dry-out')}`,
      ]);
      expect(carried.code).toBe(0);
      expect(carried.stdout).toContain(
        'signatures travelling from the source: 2 signatures',
      );
      expect(carried.stdout).toContain(
        `read 2 signatures for ${digest} from lookaside file://${lookasideDir('team/dryc', digest)}/`,
      );
      expect(carried.stdout).toContain(
        `would write 2 signatures for ${digest} to dir ${join(work, 'dry-out', 'signature-1')}, ${join(work, 'dry-out', 'signature-2')}`,
      );
      expect(existsSync(join(work, 'dry-out'))).toBe(false);
    });
  },
);
