import { execFile, execFileSync } from 'node:child_process';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/cli.js';
import {
  startNotaryPeers,
  TEST_PASSPHRASE,
  type NotaryPeers,
} from '../helpers/notary.js';
import { fixedPassphrase } from '../../src/notary/keystore/passphrase.js';
import { withPublishContext } from '../../src/notary/publish/open.js';
import {
  loadForPublish,
  PublishRejectedError,
  publishState,
} from '../../src/notary/publish/publish.js';
import { parseNormalizedNamed } from '../../src/reference/docker-reference.js';
import { repoRoot } from '../helpers/paths.js';
import { describeWithPeers } from '../helpers/peers.js';
import {
  makeSmallImage,
  startRegistry,
  writeDirImage,
  type SmallImage,
  type TestRegistry,
} from '../servers/registry.js';

interface InspectJSON {
  SignedTags: { SignedTag: string; Digest: string; Signers: string[] }[];
  Signers: { Name: string; Keys: { ID: string }[] }[];
}

// imgsign publishes Docker Content Trust data to the real notary-server,
// and the real notary CLI and docker trust read it; and the other way:
// repositories made by notary / docker are changed by imgsign and still
// accepted by them. Keys are shared through one $DOCKER_CONFIG/trust.
describeWithPeers(
  'imgsign trust sign/revoke/signer against the real notary-server, notary and docker',
  ['notary-server', 'notary-signer', 'notary', 'docker', 'registry'],
  () => {
    let peers: NotaryPeers;
    let registry: TestRegistry;
    let dockerConfig: string;
    let home: string;
    let trustDir: string;
    const images = new Map<string, SmallImage>();

    const hexOf = (img: SmallImage) =>
      img.manifestDigest.slice('sha256:'.length);

    async function imgsign(args: string[], input?: string): Promise<CliResult> {
      return runCli(args, {
        env: {
          DOCKER_CONFIG: dockerConfig,
          DOCKER_CONTENT_TRUST_SERVER: peers.serverUrl,
          DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE: TEST_PASSPHRASE,
          DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE: TEST_PASSPHRASE,
          HOME: home,
          XDG_RUNTIME_DIR: undefined,
          REGISTRY_AUTH_FILE: undefined,
        },
        ...(input !== undefined ? { input } : {}),
      });
    }
    const notary = (args: string[]) =>
      peers.notaryCli(args, { trustDir }).then((r) => r.stdout);
    const dockerTrust = (args: string[], allowFailure = false) =>
      peers.dockerTrust(args, { dockerConfig, allowFailure });
    async function inspect(gun: string): Promise<InspectJSON> {
      const r = await dockerTrust(['inspect', gun]);
      return (JSON.parse(r.stdout) as InspectJSON[])[0]!;
    }

    /** Push a small image as repo:tag; returns it. */
    async function push(repo: string, tag: string): Promise<SmallImage> {
      const img = await makeSmallImage(`${repo}:${tag} ${Math.random()}\n`);
      const dir = await peers.tempDir();
      await writeDirImage(dir, img);
      const r = await runCli([
        'copy',
        `dir:${dir}`,
        `docker://${registry.host}/${repo}:${tag}`,
        '--dest-tls-verify=false',
      ]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      images.set(`${repo}:${tag}`, img);
      return img;
    }

    beforeAll(async () => {
      peers = await startNotaryPeers();
      registry = await startRegistry();
      dockerConfig = await peers.dockerConfigDir();
      trustDir = join(dockerConfig, 'trust');
      home = await peers.tempDir();
      // The registry user (no auth is required): the signer docker/imgsign create on first sign.
      await writeFile(
        join(dockerConfig, 'config.json'),
        JSON.stringify({
          auths: {
            [registry.host]: {
              auth: Buffer.from('alice:secret-pass').toString('base64'),
            },
          },
        }),
      );
    }, 120_000);

    afterAll(async () => {
      await registry?.stop();
      await peers?.stop();
    });

    it('initializes and signs a new repository: notary list and docker trust inspect show the tag and its signer', async () => {
      const gun = `${registry.host}/imgsign/fresh`;
      const img = await push('imgsign/fresh', 'v1');
      const r = await imgsign(['trust', 'sign', `${gun}:v1`]);
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(
        [
          'Created signer: alice',
          `Finished initializing signed repository for ${gun}:v1`,
          `Signing and pushing trust metadata for ${gun}:v1`,
          `Successfully signed ${gun}:v1`,
          '',
        ].join('\n'),
      );
      expect(r.code).toBe(0);
      // notary lists each name once, from the first role of its walk.
      expect(await notary(['list', gun])).toMatch(
        new RegExp(
          `^v1\\s+${hexOf(img)}\\s+${img.manifest.length}\\s+targets/alice\\s*$`,
          'm',
        ),
      );
      // A fresh notary client (TOFU) accepts imgsign's root certificate.
      const freshNotary = await peers.notaryCli(['list', gun], {
        trustDir: await peers.tempDir(),
      });
      expect(freshNotary.stdout).toMatch(
        new RegExp(`^v1\\s+${hexOf(img)}\\s`, 'm'),
      );
      // A fresh docker (nothing cached) accepts the root certificate and signatures.
      const fresh = await peers.dockerTrust(['inspect', gun], {
        dockerConfig: await peers.dockerConfigDir(),
      });
      const repo = (JSON.parse(fresh.stdout) as InspectJSON[])[0]!;
      expect(repo.SignedTags).toEqual([
        { SignedTag: 'v1', Digest: hexOf(img), Signers: ['alice'] },
      ]);
      expect(repo.Signers.map((s) => s.Name)).toEqual(['alice']);
    });

    it('signs a second tag and re-signs the first with a new digest; --json reports it', async () => {
      const gun = `${registry.host}/imgsign/fresh`;
      const old = images.get('imgsign/fresh:v1')!;
      const img = await push('imgsign/fresh', 'v1');
      const r = await imgsign(['trust', 'sign', `${gun}:v1`, '--json']);
      expect(r.code).toBe(0);
      const json = JSON.parse(r.stdout) as Record<string, unknown>;
      expect(json).toMatchObject({
        gun,
        tag: 'v1',
        digest: hexOf(img),
        roles: ['targets/alice', 'targets/releases'],
        existingSigners: ['alice'],
      });
      expect(hexOf(old)).not.toBe(hexOf(img));
      let repo = await inspect(gun);
      expect(repo.SignedTags).toEqual([
        { SignedTag: 'v1', Digest: hexOf(img), Signers: ['alice'] },
      ]);
      // docker revokes with the keys imgsign made; imgsign signs again on top.
      await dockerTrust(['revoke', `${gun}:v1`]);
      expect((await inspect(gun)).SignedTags).toEqual([]);
      expect((await imgsign(['trust', 'sign', `${gun}:v1`])).code).toBe(0);
      repo = await inspect(gun);
      expect(repo.SignedTags).toEqual([
        { SignedTag: 'v1', Digest: hexOf(img), Signers: ['alice'] },
      ]);
    });

    it('adds to a repository made by the notary CLI (client-held snapshot key): targets and snapshot are signed by imgsign', async () => {
      const gun = `${registry.host}/imgsign/by-notary`;
      await notary(['init', gun]);
      await notary(['publish', gun]);
      const img = await push('imgsign/by-notary', 'latest');
      const r = await imgsign(['trust', 'sign', `${gun}:latest`]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const list = await notary(['list', gun]);
      expect(list).toMatch(
        new RegExp(
          `^latest\\s+${hexOf(img)}\\s+${img.manifest.length}\\s+targets\\s*$`,
          'm',
        ),
      );
      // The notary CLI still publishes on top of what imgsign signed.
      await notary([
        'addhash',
        gun,
        'from-notary',
        '3',
        '--sha256',
        'a'.repeat(64),
      ]);
      await notary(['publish', gun]);
      expect(await notary(['list', gun])).toMatch(/^from-notary\s/m);
      const repo = await inspect(gun);
      expect(repo.SignedTags.map((t) => t.SignedTag)).toEqual([
        'from-notary',
        'latest',
      ]);
    });

    it('an update made from metadata another client has since replaced is refused by notary-server with VERSION', async () => {
      const gun = `${registry.host}/imgsign/by-notary`;
      const options = {
        trustDir,
        sys: { dockerConfigDir: dockerConfig, homeDir: home },
        serverOverride: peers.serverUrl,
        passphrase: fixedPassphrase(TEST_PASSPHRASE),
        out: () => {},
      };
      const err = await withPublishContext(
        parseNormalizedNamed(gun),
        options,
        async (ctx) => {
          const loaded = (await loadForPublish(ctx))!;
          // Meanwhile the notary CLI publishes a new targets version.
          await notary([
            'addhash',
            gun,
            'meanwhile',
            '1',
            '--sha256',
            'b'.repeat(64),
          ]);
          await notary(['publish', gun]);
          loaded.state.addTarget('targets', 'stale', {
            length: 1,
            hashes: { sha256: Buffer.alloc(32, 1).toString('base64') },
          });
          return publishState(loaded.state, ctx).catch((e: unknown) => e);
        },
      );
      expect(err).toBeInstanceOf(PublishRejectedError);
      expect((err as PublishRejectedError).serverCode).toBe('VERSION');
      expect((err as Error).message).toBe(
        `the notary server refused the update of ${gun} (VERSION): its trust data changed since it was read (someone else published); run the command again`,
      );
      const list = await notary(['list', gun]);
      expect(list).toMatch(/^meanwhile\s/m);
      expect(list).not.toMatch(/^stale\s/m);
    });

    it('signs through a signer docker added, revokes, and docker still reads the repository', async () => {
      const gun = `${registry.host}/imgsign/by-docker`;
      const keys = await peers.tempDir();
      await dockerTrust(['key', 'generate', 'bob', '--dir', keys]);
      await dockerTrust([
        'signer',
        'add',
        '--key',
        join(keys, 'bob.pub'),
        'bob',
        gun,
      ]);
      const img = await push('imgsign/by-docker', 'v2');
      const signed = await imgsign(['trust', 'sign', `${gun}:v2`]);
      expect(signed.code).toBe(0);
      expect(signed.stdout).not.toMatch(/Created signer/);
      let repo = await inspect(gun);
      expect(repo.SignedTags).toEqual([
        { SignedTag: 'v2', Digest: hexOf(img), Signers: ['bob'] },
      ]);
      // docker signs the same tag again from what imgsign published.
      await dockerTrust(['sign', `${gun}:v2`]);
      const revoked = await imgsign(['trust', 'revoke', `${gun}:v2`]);
      expect(revoked.stdout).toBe(
        `Successfully deleted signature for ${gun}:v2\n`,
      );
      expect(revoked.code).toBe(0);
      repo = await inspect(gun);
      expect(repo.SignedTags).toEqual([]);
      expect(await notary(['list', gun])).not.toMatch(/^v2\s/m);
    });

    it('adds a signer to a docker-made repository; docker shows it; removing it keeps the repository usable', async () => {
      const gun = `${registry.host}/imgsign/by-docker`;
      const keys = await peers.tempDir();
      const gen = await imgsign([
        'trust',
        'key',
        'generate',
        'carol',
        '--dir',
        keys,
      ]);
      expect(gen.code).toBe(0);
      const r = await imgsign([
        'trust',
        'signer',
        'add',
        '--key',
        join(keys, 'carol.pub'),
        'carol',
        gun,
      ]);
      expect(r.stdout).toBe(
        `Adding signer "carol" to ${gun}...\nSuccessfully added signer: carol to ${gun}\n\n`,
      );
      expect(r.code).toBe(0);
      const repo = await inspect(gun);
      expect(repo.Signers.map((s) => s.Name).sort()).toEqual(['bob', 'carol']);
      const carol = repo.Signers.find((s) => s.Name === 'carol')!;
      expect(carol.Keys).toHaveLength(1);
      // docker 28's own `signer remove` removes nothing unless it had to ask
      // (its confirmation helper answers "no" when not asking): imgsign removes
      // carol without asking, as her keys do not carry the released tags.
      const removed = await imgsign([
        'trust',
        'signer',
        'remove',
        'carol',
        gun,
      ]);
      expect(removed.stdout).toBe(
        `Removing signer "carol" from ${gun}...\nSuccessfully removed carol from ${gun}\n\n`,
      );
      expect((await inspect(gun)).Signers.map((s) => s.Name)).toEqual(['bob']);
      // imgsign still signs with bob's key (made by docker) afterwards.
      const img = await push('imgsign/by-docker', 'v3');
      const signed = await imgsign(['trust', 'sign', `${gun}:v3`]);
      expect(signed.code).toBe(0);
      expect((await inspect(gun)).SignedTags).toEqual([
        { SignedTag: 'v3', Digest: hexOf(img), Signers: ['bob'] },
      ]);
    });

    it('adds a certificate signer and signs with its private key loaded by trust key load: docker shows the canonical key ID', async () => {
      const gun = `${registry.host}/imgsign/x509`;
      const dir = await peers.tempDir();
      execFileSync('openssl', [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        join(dir, 'dave.key'),
        '-out',
        join(dir, 'dave.crt'),
        '-days',
        '30',
        '-subj',
        '/CN=dave',
      ]);
      await chmod(join(dir, 'dave.key'), 0o600);
      const loaded = await imgsign([
        'trust',
        'key',
        'load',
        '--name',
        'dave',
        join(dir, 'dave.key'),
        '--json',
      ]);
      expect(loaded.stderr).toBe('');
      expect(loaded.code).toBe(0);
      const { keyId } = JSON.parse(loaded.stdout) as { keyId: string };
      const added = await imgsign([
        'trust',
        'signer',
        'add',
        '--key',
        join(dir, 'dave.crt'),
        'dave',
        gun,
      ]);
      expect(added.code).toBe(0);
      const img = await push('imgsign/x509', 'v1');
      const signed = await imgsign(['trust', 'sign', `${gun}:v1`, '--json']);
      expect(signed.code).toBe(0);
      expect(JSON.parse(signed.stdout)).toMatchObject({
        roles: ['targets/dave', 'targets/releases'],
      });
      const repo = await inspect(gun);
      expect(repo.SignedTags).toEqual([
        { SignedTag: 'v1', Digest: hexOf(img), Signers: ['dave'] },
      ]);
      expect(repo.Signers).toEqual([{ Name: 'dave', Keys: [{ ID: keyId }] }]);
      expect(await notary(['list', gun])).toMatch(
        new RegExp(`^v1\\s+${hexOf(img)}\\s`, 'm'),
      );
    });

    it('on a terminal, asks before removing the last signer: "n" keeps it, "y" removes it', async () => {
      const gun = `${registry.host}/imgsign/x509`;
      const onTerminal = (answer: string) =>
        new Promise<string>((resolve, reject) => {
          const child = execFile(
            'script',
            [
              '-qec',
              `${process.execPath} ${join(repoRoot, 'bin/run.js')} trust signer remove dave ${gun}`,
              '/dev/null',
            ],
            {
              env: {
                ...process.env,
                DOCKER_CONFIG: dockerConfig,
                DOCKER_CONTENT_TRUST_SERVER: peers.serverUrl,
                DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE: TEST_PASSPHRASE,
                DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE: TEST_PASSPHRASE,
                HOME: home,
              },
              timeout: 60_000,
            },
            (err, stdout, stderr) =>
              err
                ? reject(new Error(`${err.message}: ${stdout}${stderr}`))
                : resolve(stdout),
          );
          child.stdin!.end(`${answer}\n`);
        });
      const declined = await onTerminal('n');
      expect(declined).toContain(
        `The signer "dave" signed the last released version of ${gun}. Removing this signer will make ${gun} unpullable. Are you sure you want to continue? [y/N]`,
      );
      expect(declined).toContain('Aborting action.');
      expect((await inspect(gun)).Signers.map((s) => s.Name)).toEqual(['dave']);
      const accepted = await onTerminal('y');
      expect(accepted).toContain(`Successfully removed dave from ${gun}`);
      expect((await inspect(gun)).Signers).toEqual([]);
    });

    it('asks before removing the last signer of the released tags: refused without a terminal, done with -f', async () => {
      const gun = `${registry.host}/imgsign/fresh`;
      const refused = await imgsign([
        'trust',
        'signer',
        'remove',
        'alice',
        gun,
      ]);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain(
        `The signer "alice" signed the last released version of ${gun}. Removing this signer will make ${gun} unpullable. Are you sure you want to continue? Refusing without confirmation: there is no terminal to ask on; pass -f to proceed`,
      );
      expect((await inspect(gun)).Signers.map((s) => s.Name)).toEqual([
        'alice',
      ]);
      const forced = await imgsign([
        'trust',
        'signer',
        'remove',
        '-f',
        'alice',
        gun,
      ]);
      expect(forced.stdout).toBe(
        `Removing signer "alice" from ${gun}...\nSuccessfully removed alice from ${gun}\n\n`,
      );
      expect(forced.code).toBe(0);
      const repo = await inspect(gun);
      expect(repo.Signers).toEqual([]);
      // targets/releases is left without keys: no client accepts its tags any more.
      expect(repo.SignedTags).toEqual([]);
      expect(await notary(['list', gun])).not.toMatch(/^v1\s/m);
    });
  },
);
