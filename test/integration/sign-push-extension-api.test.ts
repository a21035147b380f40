import { mkdir, readdir } from 'node:fs/promises';
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
  type SigningWorld,
  imgsignCopyArgs,
  makeSigningWorld,
  pullDest,
  registriesDir,
  removeSigningWorld,
  signaturesListArgs,
  skopeoCopy,
  skopeoStandaloneSign,
  verifyArgs,
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
    let registry: TestRegistry;
    let server: ExtensionAPIServer;
    let w: SigningWorld;
    let registriesD: string;
    let lookaside: string;

    const imgsign = (args: string[]) => runCli(args, { env: w.env });
    const at = (ref: string) => `docker://${server.host}/${ref}`;
    /** skopeo pulls `ref` from the API registry under `policy`. */
    const skopeoPull = (policy: string, ref: string) =>
      skopeoCopy(at(ref), pullDest(w.work), {
        policy,
        registriesD,
        key: w.good,
      });
    /** skopeo signs with the good key and pushes `ref` to the API registry. */
    const skopeoSignedPush = (ref: string) =>
      skopeoCopy(`dir:${w.image}`, at(ref), {
        registriesD,
        signBy: w.good.fingerprint,
        key: w.good,
      });
    /** imgsign verify of `ref` on the API registry under `policy`. */
    const verify = (policy: string, ref: string) =>
      imgsign(verifyArgs(at(ref), policy, registriesD));

    beforeAll(async () => {
      registry = await startRegistry();
      server = await startExtensionAPIServer(registry.host);
      w = await makeSigningWorld('imgsign-sign-push-api-', server.host);
      // A lookaside that must NOT be used: the registry has the extension.
      lookaside = join(w.work, 'lookaside');
      await mkdir(lookaside);
      registriesD = await registriesDir(
        join(w.work, 'registries.d'),
        `default-docker:\n  lookaside: file://${lookaside}\n`,
        'default.yaml',
      );
    });

    afterAll(async () => {
      await server?.close();
      await registry?.stop();
      await removeSigningWorld(w);
    });

    it('imgsign signs and pushes through the API; skopeo accepts it with the signer key, rejects it with another', async () => {
      const { digest } = w;
      const r = await imgsign(
        imgsignCopyArgs(`dir:${w.image}`, at('team/app:v1'), {
          registriesD,
          signBy: w.good.fingerprint,
          extra: ['--json'],
        }),
      );
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
      await skopeoPull(w.policyGood, 'team/app:v1');
      // imgsign verify finds it through the same resolver.
      const verified = await verify(w.policyGood, 'team/app:v1');
      expect(verified.code).toBe(0);
      expect(verified.stdout).toContain(
        `ACCEPTED docker://${server.host}/team/app:v1`,
      );
      const refused = await verify(w.policyOther, 'team/app:v1');
      expect(refused.code).toBe(1);
      await expect(
        skopeoPull(w.policyOther, 'team/app:v1'),
      ).rejects.toMatchObject({ stderr: expect.stringMatching(/signature/i) });
    });

    it('--dry-run names the extension API as where the new signature would go, and writes nothing', async () => {
      const { digest } = w;
      const puts = server.puts.length;
      const r = await imgsign(
        imgsignCopyArgs(`dir:${w.image}`, at('team/dry:v1'), {
          registriesD,
          signByKeyFile: w.good.secretKeyFile,
          extra: ['--dry-run'],
        }),
      );
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`manifest digest kept: ${digest}`);
      expect(r.stdout).toContain(
        `would write 1 signature for ${digest} to registry signature extension API ${server.host}/extensions/v2/team/dry/signatures/${digest}`,
      );
      expect(server.puts.length).toBe(puts);
    });

    it('skopeo signs and pushes through the API; imgsign signatures list and copy --policy accept it', async () => {
      await skopeoSignedPush('team/sk:v1');
      const listed = await imgsign(
        signaturesListArgs(at('team/sk:v1'), registriesD, {
          publicKeyFile: w.good.publicKeyFile,
          json: true,
        }),
      );
      expect(listed.code).toBe(0);
      const listing = JSON.parse(listed.stdout) as {
        storeKind: string;
        signatures: { verified: boolean; fingerprint?: string }[];
      };
      expect(listing.storeKind).toBe('extension-api');
      expect(listing.signatures).toEqual([
        expect.objectContaining({
          verified: true,
          fingerprint: w.good.fingerprint,
        }),
      ]);
      const accepted = await imgsign(
        imgsignCopyArgs(at('team/sk:v1'), `dir:${join(w.work, 'sk-pulled')}`, {
          policy: w.policyGood,
          registriesD,
        }),
      );
      expect(accepted.stderr).toBe('');
      expect(accepted.code).toBe(0);
      expect(accepted.stdout).toContain(`read 1 signature for ${w.digest}`);
      const rejected = await imgsign(
        imgsignCopyArgs(
          at('team/sk:v1'),
          `dir:${join(w.work, 'sk-rejected')}`,
          { policy: w.policyOther, registriesD },
        ),
      );
      expect(rejected.code).not.toBe(0);
    });

    it('copies signatures between repositories of an API registry; signatures attach adds one for the new name, which skopeo then accepts', async () => {
      await skopeoSignedPush('team/origin:v1');
      const r = await imgsign(
        imgsignCopyArgs(at('team/origin:v1'), at('team/mirror:v1'), {
          policy: w.policyGood,
          registriesD,
        }),
      );
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(
        `wrote 1 signature for ${w.digest} to extension-api`,
      );
      // The carried signature names team/origin:v1: skopeo's default identity
      // rule refuses it for team/mirror:v1 until a signature for it exists.
      await expect(
        skopeoPull(w.policyGood, 'team/mirror:v1'),
      ).rejects.toBeTruthy();

      const sig = await skopeoStandaloneSign(
        w.good,
        w.image,
        `${server.host}/team/mirror:v1`,
        join(w.work, 'external.sig'),
      );
      const before = server.puts.length;
      const attached = await imgsign([
        'signatures',
        'attach',
        at('team/mirror:v1'),
        sig,
        '--registries.d',
        registriesD,
        '--tls-verify=false',
        '--public-key-file',
        w.good.publicKeyFile,
      ]);
      expect(attached.stderr).toBe('');
      expect(attached.code).toBe(0);
      expect(attached.stdout).toMatch(
        /^Attached signature for sha256:[0-9a-f]{64} to extension-api .*\(verified, signed by [0-9A-F]{40} \(Signer <signer@example.com>\)\)/,
      );
      expect(server.puts.length).toBe(before + 1);
      await skopeoPull(w.policyGood, 'team/mirror:v1');
    });
  },
);
