import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TrustError } from '../../src/errors.js';
import type {
  MetadataRequest,
  MetadataSource,
} from '../../src/notary/metadata-source.js';
import {
  openNotaryRepository,
  readTrustedRepository,
} from '../../src/notary/repository.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import {
  startNotaryPeers,
  type NotaryPeers,
  type PeerResult,
} from '../helpers/notary.js';
import { describeWithPeers } from '../helpers/peers.js';

const hex = (s: string): string => createHash('sha256').update(s).digest('hex');

/** Records every request and can replay earlier answers (a server rolled back). */
class RecordingSource implements MetadataSource {
  readonly description: string;
  readonly requests: MetadataRequest[] = [];
  readonly answers = new Map<string, Uint8Array>();
  replay: Map<string, Uint8Array> | undefined;
  constructor(private readonly inner: MetadataSource) {
    this.description = inner.description;
  }
  async get(gun: string, r: MetadataRequest): Promise<Uint8Array | undefined> {
    this.requests.push(r);
    const key = `${r.version ?? ''}.${r.role}.${r.checksum ?? ''}`;
    if (this.replay) return this.replay.get(key);
    const bytes = await this.inner.get(gun, r);
    if (bytes) this.answers.set(key, bytes);
    return bytes;
  }
}

// `imgsign trust inspect` against the same real notary-server as
// `docker trust inspect`: repositories built by the notary CLI and docker
// trust signer add; stdout must be identical byte for byte.
describeWithPeers(
  'imgsign trust inspect vs docker trust inspect (real notary-server)',
  ['notary-server', 'notary-signer', 'notary', 'docker'],
  () => {
    let peers: NotaryPeers;
    let dockerConfig: string;
    let trustDir: string;
    const admin = 'example.com/imgsign/admin-only';
    const signed = 'example.com/imgsign/with-signers';
    const empty = 'example.com/imgsign/no-tags';
    const split = 'example.com/imgsign/split';
    const odd = 'example.com/imgsign/odd-names';
    const missing = 'example.com/imgsign/missing';

    const notary = (args: string[]) =>
      peers.notaryCli(args, { trustDir }).then(() => undefined);
    const addhash = (gun: string, tag: string, content: string, roles = '') =>
      notary([
        'addhash',
        gun,
        tag,
        String(content.length),
        '--sha256',
        hex(content),
        ...(roles ? ['-r', roles] : []),
      ]);

    /** docker with a fresh config (only the server CA): nothing cached. */
    async function docker(args: string[]): Promise<PeerResult> {
      return peers.dockerTrust(['inspect', ...args], {
        dockerConfig: await peers.dockerConfigDir(),
        allowFailure: true,
      });
    }

    /** imgsign with a fresh DOCKER_CONFIG (only the server CA). */
    async function imgsign(
      args: string[],
      config?: string,
    ): Promise<CliResult> {
      return runCli(['trust', 'inspect', ...args], {
        env: {
          DOCKER_CONFIG: config ?? (await peers.dockerConfigDir()),
          DOCKER_CONTENT_TRUST_SERVER: peers.serverUrl,
          HOME: await peers.tempDir(),
          XDG_RUNTIME_DIR: undefined,
          REGISTRY_AUTH_FILE: undefined,
        },
      });
    }

    async function same(args: string[]): Promise<CliResult> {
      const theirs = await docker(args);
      const ours = await imgsign(args);
      expect(ours.stdout).toBe(theirs.stdout);
      expect(ours.code).toBe(theirs.code);
      return ours;
    }

    beforeAll(async () => {
      peers = await startNotaryPeers();
      dockerConfig = await peers.dockerConfigDir();
      trustDir = join(dockerConfig, 'trust');

      // Only the targets role: natural tag order, a tag without sha256 is impossible via addhash.
      await notary(['init', admin]);
      for (const tag of ['v10', 'v2', 'latest', 'v1', '1.0-rc1']) {
        await addhash(admin, tag, `manifest ${tag}`);
      }
      await notary(['publish', admin]);

      // Signers: docker makes keys and targets/releases + targets/<signer>.
      const keys = await peers.tempDir();
      const d = { dockerConfig };
      for (const who of ['alice', 'bob']) {
        await peers.dockerTrust(['key', 'generate', who, '--dir', keys], d);
        await peers.dockerTrust(
          ['signer', 'add', '--key', join(keys, `${who}.pub`), who, signed],
          d,
        );
      }
      // carol: an x509 delegation key added by the notary CLI (canonical key IDs differ).
      execFileSync('openssl', [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        join(keys, 'carol.key'),
        '-out',
        join(keys, 'carol.crt'),
        '-days',
        '30',
        '-subj',
        '/CN=carol',
      ]);
      await notary([
        'delegation',
        'add',
        signed,
        'targets/carol',
        join(keys, 'carol.crt'),
        '--all-paths',
      ]);
      await addhash(signed, 'v1', 'one', 'targets/releases,targets/alice');
      await addhash(
        signed,
        'v2',
        'two',
        'targets/releases,targets/bob,targets/alice',
      );
      await addhash(signed, 'only-alice', 'alice', 'targets/alice');
      // A nested signer (targets/alice/ci, alice's key, limited paths).
      await notary([
        'delegation',
        'add',
        signed,
        'targets/alice/ci',
        join(keys, 'alice.pub'),
        '--paths',
        'v',
      ]);
      await addhash(signed, 'v1', 'one', 'targets/alice/ci');
      await addhash(signed, 'admin', 'admin', 'targets');
      await notary(['publish', signed]);

      // Same tag, different digests in targets and targets/releases: two rows
      // (docker orders them at random: compared as sets below).
      await peers.dockerTrust(
        ['signer', 'add', '--key', join(keys, 'alice.pub'), 'alice', split],
        d,
      );
      await addhash(split, 'split', 'split-a', 'targets');
      await addhash(split, 'split', 'split-b', 'targets/releases');
      await addhash(split, 'z', 'z', 'targets/releases,targets/alice');
      await notary(['publish', split]);

      // Target names docker never makes but notary allows: Go's JSON
      // escaping and rune widths must still match. (Control characters
      // cannot be published: notary's canonical JSON emits them raw.)
      await notary(['init', odd]);
      for (const tag of [
        'a<b>&c',
        'tëst-ünïcode',
        '"quoted"\\back',
        'x'.repeat(70),
        '\u2028sep',
        'cafe\u0301-日本-😀-Ａ',
      ]) {
        await addhash(odd, tag, `odd ${tag}`);
      }
      await notary(['publish', odd]);

      // Initialized, nothing signed.
      await notary(['init', empty]);
      await notary(['publish', empty]);
    }, 240_000);

    afterAll(async () => {
      await peers?.stop();
    });

    it('prints the same JSON as docker for a repository with only targets', async () => {
      const r = await same([admin]);
      expect(r.code).toBe(0);
      const [repo] = JSON.parse(r.stdout) as {
        SignedTags: { SignedTag: string }[];
      }[];
      expect(repo?.SignedTags.map((t) => t.SignedTag)).toEqual([
        '1.0-rc1',
        'latest',
        'v1',
        'v2',
        'v10',
      ]);
    });

    it('prints the same --pretty tables as docker for a repository with only targets', async () => {
      const r = await same(['--pretty', admin]);
      expect(r.stdout).toMatch(/^v10 +[0-9a-f]{64} +\(Repo Admin\)$/m);
      expect(r.stdout).not.toMatch(/List of signers/);
    });

    it('prints the same JSON as docker for a repository with signers', async () => {
      const r = await same([signed]);
      expect(r.code).toBe(0);
      const [repo] = JSON.parse(r.stdout) as {
        SignedTags: { SignedTag: string; Signers: string[] }[];
        Signers: { Name: string }[];
      }[];
      expect(repo?.Signers.map((s) => s.Name)).toEqual([
        'carol',
        'bob',
        'alice/ci',
        'alice',
      ]);
      expect(repo?.SignedTags.map((t) => t.SignedTag)).not.toContain(
        'only-alice',
      );
    });

    it('prints the same --pretty tables as docker for a repository with signers', async () => {
      const r = await same(['--pretty', signed]);
      expect(r.stdout).toMatch(/^v2 +[0-9a-f]{64} +alice, bob$/m);
      expect(r.stdout).toMatch(/^v1 +[0-9a-f]{64} +alice, alice\/ci$/m);
      expect(r.stdout).toMatch(/^carol +[0-9a-f]{12}$/m);
    });

    it('returns the same elements as a JSON result with --json', async () => {
      const theirs = await docker([admin, signed]);
      const ours = await imgsign(['--json', admin, signed]);
      expect(ours.code).toBe(0);
      expect(JSON.parse(ours.stdout)).toEqual({
        repositories: JSON.parse(theirs.stdout) as unknown,
      });
    });

    it('inspects only the tag given, like docker', async () => {
      await same([`${signed}:v2`]);
      await same(['--pretty', `${signed}:v1`]);
      const r = await same(['--pretty', `${signed}:nope`]);
      expect(r.stdout).toContain(`No signatures for ${signed}:nope`);
    });

    it('shows both digests of a tag signed differently by targets and targets/releases', async () => {
      const sorted = (out: string) =>
        (JSON.parse(out) as { SignedTags: { Digest: string }[] }[]).map(
          (r) => ({
            ...r,
            SignedTags: r.SignedTags.sort((a, b) =>
              a.Digest.localeCompare(b.Digest),
            ),
          }),
        );
      const theirs = await docker([split]);
      const ours = await imgsign([split]);
      expect(ours.code).toBe(0);
      expect(sorted(ours.stdout)).toEqual(sorted(theirs.stdout));
      expect(sorted(ours.stdout)[0]?.SignedTags).toHaveLength(3);
      const lines = (out: string) => out.split('\n').sort();
      const theirsPretty = await docker(['--pretty', split]);
      const oursPretty = await imgsign(['--pretty', split]);
      expect(lines(oursPretty.stdout)).toEqual(lines(theirsPretty.stdout));
    });

    it('matches docker for target names with characters JSON and tables must escape or measure', async () => {
      const r = await same([odd]);
      expect(r.stdout).toContain('"a\\u003cb\\u003e\\u0026c"');
      await same(['--pretty', odd]);
    });

    it('matches docker for an initialized repository without tags', async () => {
      const r = await same([empty]);
      expect(JSON.parse(r.stdout)).toMatchObject([{ SignedTags: [] }]);
      await same(['--pretty', empty]);
    });

    it('matches docker for several images in one call', async () => {
      await same([admin, signed, `${admin}:v1`]);
      await same(['--pretty', admin, signed, empty]);
    });

    it('fails like docker for a repository without trust data: [] and exit 1', async () => {
      const theirs = await docker([missing]);
      const r = await same([missing]);
      expect(r.stdout).toBe('[]\n');
      expect(r.code).toBe(1);
      expect(theirs.stderr.trim()).toBe(
        `no signatures or cannot access ${missing}`,
      );
      expect(r.stderr).toContain(`no signatures or cannot access ${missing}:`);
      expect(r.stderr).toMatch(/repository does not exist/);
    });

    it('prints the images it could read and fails for the missing one, like docker', async () => {
      const r = await same([admin, missing, signed]);
      expect(JSON.parse(r.stdout)).toHaveLength(2);
      const p = await same(['--pretty', admin, missing, signed]);
      expect(p.stdout).toContain(`Signatures for ${admin}`);
      expect(p.stdout).not.toContain(signed);
      expect(p.code).toBe(1);
    });

    it('writes the cache docker and notary use and reuses it', async () => {
      const config = await peers.dockerConfigDir();
      await imgsign([signed], config);
      const meta = join(config, 'trust/tuf', signed, 'metadata');
      expect((await readdir(meta)).sort()).toEqual([
        'root.json',
        'snapshot.json',
        'targets',
        'targets.json',
        'timestamp.json',
      ]);
      expect((await readdir(join(meta, 'targets'))).sort()).toEqual([
        'alice',
        'alice.json',
        'bob.json',
        'releases.json', // carol signed nothing: no file
      ]);
      // Second read: only the timestamp comes from the server.
      const repo = await openNotaryRepository({
        reference: signed,
        trustDir: join(config, 'trust'),
        sys: { dockerConfigDir: config },
        serverOverride: peers.serverUrl,
      });
      try {
        const source = new RecordingSource(repo.store);
        const trusted = await readTrustedRepository(repo, { source });
        expect(source.requests.map((q) => q.role)).toEqual(['timestamp']);
        expect([...trusted.targets.keys()].sort()).toEqual([
          'targets',
          'targets/alice',
          'targets/alice/ci',
          'targets/bob',
          'targets/releases',
        ]);
      } finally {
        await repo.close();
      }
      // docker reads the cache imgsign wrote.
      const theirs = await peers.dockerTrust(['inspect', signed], {
        dockerConfig: config,
      });
      expect((await imgsign([signed], config)).stdout).toBe(theirs.stdout);
    });

    it('works offline from a still valid cache, like docker', async () => {
      const config = await peers.dockerConfigDir();
      const online = await imgsign([signed], config);
      expect(online.code).toBe(0);
      const dead = 'https://127.0.0.1:1';
      const ours = await runCli(['trust', 'inspect', signed], {
        env: {
          DOCKER_CONFIG: config,
          DOCKER_CONTENT_TRUST_SERVER: dead,
          HOME: await peers.tempDir(),
        },
      });
      const theirs = await peers.dockerTrust(['inspect', signed], {
        dockerConfig: config,
        env: { DOCKER_CONTENT_TRUST_SERVER: dead },
        allowFailure: true,
      });
      expect(theirs.code).toBe(0);
      expect(ours.code).toBe(0);
      expect(ours.stdout).toBe(theirs.stdout);
      expect(ours.stdout).toBe(online.stdout);
      expect(ours.stderr).toMatch(/warning: .*using the cached timestamp/);
    });

    it('rejects a server that serves older metadata than the cache (rollback)', async () => {
      const gun = 'example.com/imgsign/rollback';
      await notary(['init', gun]);
      await addhash(gun, 'v1', 'first');
      await notary(['publish', gun]);
      const config = await peers.dockerConfigDir();
      const open = () =>
        openNotaryRepository({
          reference: gun,
          trustDir: join(config, 'trust'),
          sys: { dockerConfigDir: config },
          serverOverride: peers.serverUrl,
        });
      // Record the server's answers at version 1 (from a fresh cache).
      const first = await open();
      const old = new RecordingSource(first.store);
      try {
        await readTrustedRepository(first, { source: old });
      } finally {
        await first.close();
      }
      await addhash(gun, 'v2', 'second');
      await notary(['publish', gun]);
      // The cache now holds the newer versions…
      const r = await imgsign([`${gun}:v2`], config);
      expect(JSON.parse(r.stdout)).toMatchObject([
        { SignedTags: [{ SignedTag: 'v2' }] },
      ]);
      // …and a server answering with the old files is refused.
      const second = await open();
      try {
        const replay = new RecordingSource(second.store);
        replay.replay = old.answers;
        const err = await readTrustedRepository(second, {
          source: replay,
        }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(TrustError);
        expect((err as TrustError).failure).toBe('rollback');
        expect((err as TrustError).message).toMatch(
          /timestamp\.json version \d+ is lower than the trusted version \d+/,
        );
      } finally {
        await second.close();
      }

      // The real server rolled back: its trust data deleted and the old
      // root/targets/snapshot published again (it signs a new timestamp v1).
      const third = await open();
      try {
        const old1 = (role: string) =>
          [...old.answers].find(([k]) => k.startsWith(`.${role}.`))![1];
        await third.store.deleteTrustData(gun);
        await third.store.publish(
          gun,
          ['root', 'targets', 'snapshot'].map((role) => ({
            role,
            bytes: old1(role),
          })),
        );
      } finally {
        await third.close();
      }
      const rolledBack = await imgsign([gun], config);
      expect(rolledBack.code).toBe(1);
      expect(rolledBack.stdout).toBe('[]\n');
      expect(rolledBack.stderr).toMatch(
        new RegExp(
          `^imgsign: no signatures or cannot access ${gun}: ${gun} timestamp\\.json version 1 is lower than the trusted version \\d+`,
        ),
      );
      // A fresh client (no cache) accepts the server's current state.
      const fresh = await imgsign([gun]);
      expect(fresh.code).toBe(0);
    });
  },
);
