import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { describeWithPeers } from '../helpers/peers.js';
import {
  type ExtensionAPIServer,
  startExtensionAPIServer,
} from '../servers/extension-api.js';
import { type TestRegistry, startRegistry } from '../servers/registry.js';
import {
  type GpgKey,
  makeGpgKey,
  makeImage,
  run,
  signedByPolicy,
  stopGpgAgent,
} from './sign-push-setup.js';

/**
 * The same end-to-end flows through a registry that advertises the
 * signature extension API (test/servers/extension-api.ts in front of a real
 * docker-registry): the API is used instead of the lookaside, as skopeo does,
 * even though registries.d configures one.
 */
describeWithPeers(
  'copy --sign-by to a registry with the signature extension API, against skopeo',
  ['registry', 'skopeo', 'gpg'],
  () => {
    let work: string;
    let registry: TestRegistry;
    let server: ExtensionAPIServer;
    let good: GpgKey;
    let other: GpgKey;
    let registriesD: string;
    let lookaside: string;
    let policyGood: string;
    let policyOther: string;
    let image: string;
    let digest: string;
    let env: Record<string, string>;

    const imgsign = (args: string[]) => runCli(args, { env });
    const skopeo = (args: string[]) =>
      run('skopeo', args, { env: { ...process.env, ...good.env } });
    const skopeoPull = (policy: string, ref: string) =>
      skopeo([
        '--policy',
        policy,
        '--registries.d',
        registriesD,
        'copy',
        '--src-tls-verify=false',
        `docker://${server.host}/${ref}`,
        `dir:${join(work, `pull-${Math.random().toString(16).slice(2)}`)}`,
      ]);

    beforeAll(async () => {
      work = await mkdtemp(join(tmpdir(), 'imgsign-sign-push-api-'));
      registry = await startRegistry();
      server = await startExtensionAPIServer(registry.host);
      good = await makeGpgKey(work, 'good', 'Signer <signer@example.com>');
      other = await makeGpgKey(work, 'other', 'Other <other@example.com>');
      // A lookaside that must NOT be used: the registry has the extension.
      lookaside = join(work, 'lookaside');
      await mkdir(lookaside);
      registriesD = join(work, 'registries.d');
      await mkdir(registriesD);
      await writeFile(
        join(registriesD, 'default.yaml'),
        `default-docker:\n  lookaside: file://${lookaside}\n`,
      );
      policyGood = await signedByPolicy(
        join(work, 'good.json'),
        server.host,
        good.publicKeyFile,
      );
      policyOther = await signedByPolicy(
        join(work, 'other.json'),
        server.host,
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
      await server?.close();
      await registry?.stop();
      if (work) await rm(work, { recursive: true, force: true });
    });

    it('imgsign signs and pushes through the API; skopeo accepts it with the signer key, rejects it with another', async () => {
      const r = await imgsign([
        'copy',
        '--insecure-policy',
        '--registries.d',
        registriesD,
        '--dest-tls-verify=false',
        '--sign-by',
        good.fingerprint,
        '--json',
        `dir:${image}`,
        `docker://${server.host}/team/app:v1`,
      ]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(server.puts).toHaveLength(1);
      expect(server.puts[0]).toMatchObject({
        repository: 'team/app',
        digest,
        body: { schemaVersion: 2, type: 'atomic' },
      });
      const out = JSON.parse(r.stdout) as {
        signatureWrites: { kind: string; store: string; locations: string[] }[];
      };
      expect(out.signatureWrites).toHaveLength(1);
      expect(out.signatureWrites[0]).toMatchObject({ kind: 'extension-api' });
      expect(out.signatureWrites[0]!.store).toContain(server.host);
      expect(out.signatureWrites[0]!.locations[0]).toContain(
        `/extensions/v2/team/app/signatures/${digest}`,
      );
      expect(await readdir(lookaside)).toEqual([]);
      await skopeoPull(policyGood, 'team/app:v1');
      // imgsign verify finds it through the same resolver.
      const verified = await imgsign([
        'verify',
        '--policy',
        policyGood,
        '--registries.d',
        registriesD,
        '--tls-verify=false',
        `docker://${server.host}/team/app:v1`,
      ]);
      expect(verified.code).toBe(0);
      expect(verified.stdout).toContain(
        `ACCEPTED docker://${server.host}/team/app:v1`,
      );
      const refused = await imgsign([
        'verify',
        '--policy',
        policyOther,
        '--registries.d',
        registriesD,
        '--tls-verify=false',
        `docker://${server.host}/team/app:v1`,
      ]);
      expect(refused.code).toBe(1);
      await expect(
        skopeoPull(policyOther, 'team/app:v1'),
      ).rejects.toMatchObject({ stderr: expect.stringMatching(/signature/i) });
    });

    it('--dry-run names the extension API as where the new signature would go, and writes nothing', async () => {
      const puts = server.puts.length;
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
        `docker://${server.host}/team/dry:v1`,
      ]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`manifest digest kept: ${digest}`);
      expect(r.stdout).toContain(
        `would write 1 signature for ${digest} to registry signature extension API ${server.host}/extensions/v2/team/dry/signatures/${digest}`,
      );
      expect(server.puts.length).toBe(puts);
    });

    it('skopeo signs and pushes through the API; imgsign signatures list and copy --policy accept it', async () => {
      await skopeo([
        '--insecure-policy',
        '--registries.d',
        registriesD,
        'copy',
        '--dest-tls-verify=false',
        '--sign-by',
        good.fingerprint,
        `dir:${image}`,
        `docker://${server.host}/team/sk:v1`,
      ]);
      const listed = await imgsign([
        'signatures',
        'list',
        `docker://${server.host}/team/sk:v1`,
        '--registries.d',
        registriesD,
        '--tls-verify=false',
        '--public-key-file',
        good.publicKeyFile,
        '--json',
      ]);
      expect(listed.code).toBe(0);
      const listing = JSON.parse(listed.stdout) as {
        storeKind: string;
        signatures: { verified: boolean; fingerprint?: string }[];
      };
      expect(listing.storeKind).toBe('extension-api');
      expect(listing.signatures).toEqual([
        expect.objectContaining({
          verified: true,
          fingerprint: good.fingerprint,
        }),
      ]);
      const accepted = await imgsign([
        'copy',
        '--policy',
        policyGood,
        '--registries.d',
        registriesD,
        '--src-tls-verify=false',
        `docker://${server.host}/team/sk:v1`,
        `dir:${join(work, 'sk-pulled')}`,
      ]);
      expect(accepted.stderr).toBe('');
      expect(accepted.code).toBe(0);
      expect(accepted.stdout).toContain(`read 1 signature for ${digest}`);
      const rejected = await imgsign([
        'copy',
        '--policy',
        policyOther,
        '--registries.d',
        registriesD,
        '--src-tls-verify=false',
        `docker://${server.host}/team/sk:v1`,
        `dir:${join(work, 'sk-rejected')}`,
      ]);
      expect(rejected.code).not.toBe(0);
    });

    it('copies signatures between repositories of an API registry; signatures attach adds one for the new name, which skopeo then accepts', async () => {
      await skopeo([
        '--insecure-policy',
        '--registries.d',
        registriesD,
        'copy',
        '--dest-tls-verify=false',
        '--sign-by',
        good.fingerprint,
        `dir:${image}`,
        `docker://${server.host}/team/origin:v1`,
      ]);
      const r = await imgsign([
        'copy',
        '--policy',
        policyGood,
        '--registries.d',
        registriesD,
        '--src-tls-verify=false',
        '--dest-tls-verify=false',
        `docker://${server.host}/team/origin:v1`,
        `docker://${server.host}/team/mirror:v1`,
      ]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(
        `wrote 1 signature for ${digest} to extension-api`,
      );
      // The carried signature names team/origin:v1: skopeo's default identity
      // rule refuses it for team/mirror:v1 until a signature for it exists.
      await expect(
        skopeoPull(policyGood, 'team/mirror:v1'),
      ).rejects.toBeTruthy();

      const sig = join(work, 'external.sig');
      await skopeo([
        'standalone-sign',
        '-o',
        sig,
        join(image, 'manifest.json'),
        `${server.host}/team/mirror:v1`,
        good.fingerprint,
      ]);
      const before = server.puts.length;
      const attached = await imgsign([
        'signatures',
        'attach',
        `docker://${server.host}/team/mirror:v1`,
        sig,
        '--registries.d',
        registriesD,
        '--tls-verify=false',
        '--public-key-file',
        good.publicKeyFile,
      ]);
      expect(attached.stderr).toBe('');
      expect(attached.code).toBe(0);
      expect(attached.stdout).toMatch(
        /^Attached signature for sha256:[0-9a-f]{64} to extension-api .*\(verified, signed by [0-9A-F]{40} \(Signer <signer@example.com>\)\)/,
      );
      expect(server.puts.length).toBe(before + 1);
      await skopeoPull(policyGood, 'team/mirror:v1');
    });
  },
);
