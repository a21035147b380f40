import { existsSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
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
  type ImgsignCopyOptions,
  type GpgKey,
  type SigningWorld,
  imgsignCopyArgs,
  makeSigningWorld,
  pullDest,
  registriesDir,
  removeSigningWorld,
  run,
  signaturesListArgs,
  skopeoCopy,
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
    let registry: TestRegistry;
    let web: RunningHttpServer;
    let world: SigningWorld;
    let work: string;
    let good: GpgKey;
    let policyGood: string;
    let policyOther: string;
    let image: string;
    let digest: string;
    let env: Record<string, string>;
    let staging: string;
    let registriesD: string;
    let registriesDHttp: string;

    const imgsign = (args: string[]) => runCli(args, { env });
    const at = (ref: string) => `docker://${registry.host}/${ref}`;
    const lookasideDir = (repo: string, d: string) =>
      join(staging, `${repo}@${d.replace(':', '=')}`);
    /** skopeo pulls `ref` from the registry under `policy` and `dirs`. */
    const skopeoPull = (policy: string, dirs: string, ref: string) =>
      skopeoCopy(at(ref), pullDest(work), {
        policy,
        registriesD: dirs,
        key: good,
      });
    /** imgsign copy --insecure-policy dir:image → docker://REGISTRY/ref. */
    const push = (ref: string, o: ImgsignCopyOptions = {}) =>
      imgsign(imgsignCopyArgs(`dir:${image}`, at(ref), o));
    /** imgsign copy --sign-by-key-file dir:image → docker://REGISTRY/ref. */
    const signedPush = (ref: string, extra: string[] = []) =>
      push(ref, { registriesD, signByKeyFile: good.secretKeyFile, extra });
    /** imgsign signatures list --json, verifying with the good key. */
    const listVerified = (ref: string, dirs = registriesD) =>
      imgsign(
        signaturesListArgs(ref, dirs, {
          publicKeyFile: good.publicKeyFile,
          json: true,
        }),
      );

    beforeAll(async () => {
      registry = await startRegistry();
      world = await makeSigningWorld('imgsign-sign-push-', registry.host);
      ({ work, good, policyGood, policyOther, image, digest, env } = world);
      staging = join(work, 'staging');
      await mkdir(staging);
      web = await startStaticHttp(staging);
      registriesD = await registriesDir(
        join(work, 'registries.d'),
        `docker:\n  ${registry.host}:\n    lookaside: file://${staging}\n`,
      );
      registriesDHttp = await registriesDir(
        join(work, 'registries.d-http'),
        `docker:\n  ${registry.host}:\n    lookaside: ${web.url}\n    lookaside-staging: file://${staging}\n`,
      );
    });

    afterAll(async () => {
      await web?.close();
      await registry?.stop();
      await removeSigningWorld(world);
    });

    it('imgsign signs and pushes; skopeo accepts it with the signer key and rejects it with another', async () => {
      const r = await push('team/app:v1', {
        registriesD,
        signBy: good.fingerprint,
      });
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
      await skopeoCopy(`dir:${image}`, at('team/sk:v1'), {
        registriesD,
        signBy: good.fingerprint,
        key: good,
      });
      const listed = await listVerified(at('team/sk:v1'));
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
      const listArgs = signaturesListArgs(at('team/sk:v1'), registriesD);
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
      const accepted = await imgsign(
        imgsignCopyArgs(at('team/sk:v1'), `dir:${out}`, {
          policy: policyGood,
          registriesD,
        }),
      );
      expect(accepted.stderr).toBe('');
      expect(accepted.code).toBe(0);
      expect(accepted.stdout).toContain(
        `read 1 signature for ${digest} from lookaside file://${staging}/team/sk@`,
      );
      expect(accepted.stdout).toContain(
        `wrote 1 signature for ${digest} to dir ${join(out, 'signature-1')}`,
      );
      const rejected = await imgsign(
        imgsignCopyArgs(at('team/sk:v1'), `dir:${join(work, 'sk-rejected')}`, {
          policy: policyOther,
          registriesD,
        }),
      );
      expect(rejected.code).not.toBe(0);
      expect(rejected.stderr).toMatch(/rejected/i);
    });

    it('reads the lookaside over http (a static web server) while writing to the file staging', async () => {
      const w = await push('team/web:v1', {
        registriesD: registriesDHttp,
        signBy: good.fingerprint,
      });
      expect(w.code).toBe(0);
      expect(w.stdout).toContain(
        `to lookaside file://${join(lookasideDir('team/web', digest), 'signature-1')}`,
      );
      const before = web.requests.length;
      await skopeoPull(policyGood, registriesDHttp, 'team/web:v1');
      expect(web.requests.slice(before)).toContain(
        `/team/web@${digest.replace(':', '=')}/signature-1`,
      );
      const listed = await listVerified(at('team/web:v1'), registriesDHttp);
      const listing = JSON.parse(listed.stdout) as Listing;
      expect(listing.store).toContain(`lookaside ${web.url}/team/web@`);
      expect(listing.signatures.map((s) => s.verified)).toEqual([true]);
      const pulled = await imgsign(
        imgsignCopyArgs(at('team/web:v1'), `dir:${join(work, 'web-pulled')}`, {
          policy: policyGood,
          registriesD: registriesDHttp,
        }),
      );
      expect(pulled.code).toBe(0);
      expect(pulled.stdout).toContain(`from lookaside ${web.url}/team/web@`);
    });

    it('twenty concurrent copy --sign-by runs to one image leave twenty valid signatures', async () => {
      // Blobs pushed first: docker-registry itself can fail concurrent
      // first uploads of one blob (DIGEST_INVALID); the signers are the point.
      const first = await push('team/many:v1');
      expect(first.code).toBe(0);
      const runs = await Promise.all(
        Array.from({ length: 20 }, () => signedPush('team/many:v1')),
      );
      for (const r of runs) expect(r.stderr).toBe('');
      expect(runs.map((r) => r.code)).toEqual(Array(20).fill(0));
      const files = (await readdir(lookasideDir('team/many', digest))).sort();
      expect(files).toEqual(
        Array.from({ length: 20 }, (_, i) => `signature-${i + 1}`).sort(),
      );
      const listed = await listVerified(at('team/many:v1'));
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
        imgsign(
          imgsignCopyArgs(`dir:${list.dir}`, at(`team/multi:${tag}`), {
            registriesD,
            signByKeyFile: good.secretKeyFile,
            extra: ['--all', ...extra, '--json'],
          }),
        );
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
        const listed = await listVerified(
          at(`team/multi@${inst.manifestDigest}`),
        );
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
      const r = await signedPush('team/dry:v1', ['--dry-run']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`manifest digest kept: ${digest}`);
      expect(r.stdout).toContain('signatures travelling from the source: none');
      expect(r.stdout).toContain(
        `would write 1 signature for ${digest} to lookaside file://${lookasideDir('team/dry', digest)}/`,
      );
      expect(existsSync(join(staging, 'team/dry'))).toBe(false);
      await expect(
        run('skopeo', ['inspect', '--tls-verify=false', at('team/dry:v1')]),
      ).rejects.toBeTruthy();

      expect((await signedPush('team/dryc:v1')).code).toBe(0);
      expect((await signedPush('team/dryc:v2')).code).toBe(0);
      const carried = await imgsign(
        imgsignCopyArgs(at('team/dryc:v1'), `dir:${join(work, 'dry-out')}`, {
          registriesD,
          extra: ['--dry-run'],
        }),
      );
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
