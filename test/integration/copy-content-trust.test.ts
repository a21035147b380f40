import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeWithPeers } from '../helpers/peers.js';
import { freePort } from '../servers/registry.js';
import { useContentTrustEnv, TRUST_PEERS } from './copy-content-trust-setup.js';

interface InspectJSON {
  SignedTags: { SignedTag: string; Digest: string; Signers: string[] }[];
}

const hexOf = (digest: string) => digest.slice('sha256:'.length);

// `imgsign copy` with DOCKER_CONTENT_TRUST=1 against the real
// notary-server/notary-signer and docker-registry, checked with the real
// notary CLI and docker trust inspect.
describeWithPeers(
  'imgsign copy with Docker Content Trust (real notary-server and registry)',
  [...TRUST_PEERS, 'docker'],
  () => {
    const env = useContentTrustEnv();

    const pull = (ref: string, out: string, extra: string[] = [], e = {}) =>
      env.imgsign(
        [
          'copy',
          '--insecure-policy',
          '--src-tls-verify=false',
          ...extra,
          `docker://${env.proxy.host}/${ref}`,
          `dir:${out}`,
        ],
        e,
      );

    it('push signs the tag: notary list and docker trust inspect show the pushed digest', async () => {
      const gun = `${env.proxy.host}/dct/pushed`;
      const { img, result } = await env.push('dct/pushed', 'v1', true);
      expect(result.stderr).toBe('');
      const lines = result.stdout.trim().split('\n');
      // As docker push: a new repository gets root + targets keys and the
      // tag is signed in targets (no signer delegation, unlike trust sign).
      expect(lines.slice(0, 3)).toEqual([
        'Signing and pushing trust metadata',
        `Finished initializing "${gun}"`,
        `Successfully signed ${gun}:v1`,
      ]);
      expect(lines).toContain(
        `  content trust: signed ${gun}:v1 as ${img.manifestDigest} (${img.manifest.length} bytes) in targets, notary server ${env.peers.serverUrl}`,
      );
      expect(await env.notaryList(gun)).toMatch(
        new RegExp(
          `^v1\\s+${hexOf(img.manifestDigest)}\\s+${img.manifest.length}\\s+targets\\s*$`,
          'm',
        ),
      );
      const r = await env.peers.dockerTrust(['inspect', gun], {
        dockerConfig: env.dockerConfig,
      });
      const inspected = (JSON.parse(r.stdout) as InspectJSON[])[0]!;
      expect(inspected.SignedTags).toEqual([
        {
          SignedTag: 'v1',
          Digest: hexOf(img.manifestDigest),
          Signers: ['Repo Admin'],
        },
      ]);
      // A second push to the same repository signs with its keys.
      const again = await env.push('dct/pushed', 'v2', true);
      expect(again.result.stdout).not.toContain('Finished initializing');
      expect(again.result.stdout).toContain(
        `Signing and pushing trust metadata for ${gun}:v2`,
      );
      expect(await env.notaryList(gun)).toMatch(
        new RegExp(`^v2\\s+${hexOf(again.img.manifestDigest)}\\s`, 'm'),
      );
    });

    it('push into a repository with a signer (docker trust signer add) signs through the signer and releases; pull resolves from targets/releases', async () => {
      const gun = `${env.proxy.host}/dct/with-signer`;
      const keys = await env.peers.tempDir();
      await env.peers.dockerTrust(['key', 'generate', 'bob', '--dir', keys], {
        dockerConfig: env.dockerConfig,
      });
      await env.peers.dockerTrust(
        ['signer', 'add', '--key', join(keys, 'bob.pub'), 'bob', gun],
        { dockerConfig: env.dockerConfig },
      );
      const { img, result } = await env.push('dct/with-signer', 'v1', true);
      expect(result.stdout).toContain(
        `  content trust: signed ${gun}:v1 as ${img.manifestDigest} (${img.manifest.length} bytes) in targets/bob, targets/releases, notary server ${env.peers.serverUrl}`,
      );
      const r = await env.peers.dockerTrust(['inspect', gun], {
        dockerConfig: env.dockerConfig,
      });
      expect((JSON.parse(r.stdout) as InspectJSON[])[0]!.SignedTags).toEqual([
        {
          SignedTag: 'v1',
          Digest: hexOf(img.manifestDigest),
          Signers: ['bob'],
        },
      ]);
      const out = join(await env.peers.tempDir(), 'out');
      const pulled = await pull('dct/with-signer:v1', out, ['--json']);
      expect(pulled.code).toBe(0);
      expect(
        (JSON.parse(pulled.stdout) as { contentTrust: { source: unknown } })
          .contentTrust.source,
      ).toMatchObject({ role: 'targets/releases', digest: img.manifestDigest });
    });

    it('pull copies the SIGNED digest after the registry tag was moved to an unsigned manifest', async () => {
      const signed = await env.push('dct/moved', 'v1', true);
      const moved = await env.push('dct/moved', 'v1', false);
      const out = join(await env.peers.tempDir(), 'out');
      const r = await pull('dct/moved:v1', out, ['--json']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const json = JSON.parse(r.stdout) as {
        manifestDigest: string;
        source: string;
        contentTrust: { source: Record<string, unknown> };
      };
      expect(json.manifestDigest).toBe(signed.img.manifestDigest);
      expect(json.source).toBe(`docker://${env.proxy.host}/dct/moved:v1`);
      expect(json.contentTrust.source).toEqual({
        gun: `${env.proxy.host}/dct/moved`,
        server: env.peers.serverUrl,
        tag: 'v1',
        digest: signed.img.manifestDigest,
        length: signed.img.manifest.length,
        role: 'targets',
      });
      expect(await readFile(join(out, 'manifest.json'))).toEqual(
        signed.img.manifest,
      );
      // With content trust off (either way) the moved tag is copied.
      const plain = join(await env.peers.tempDir(), 'plain');
      const off = await pull('dct/moved:v1', plain, [], {
        DOCKER_CONTENT_TRUST: '0',
      });
      expect(off.code).toBe(0);
      expect(off.stdout).not.toContain('content trust');
      expect(await readFile(join(plain, 'manifest.json'))).toEqual(
        moved.img.manifest,
      );
      const disabled = join(await env.peers.tempDir(), 'disabled');
      const flag = await pull('dct/moved:v1', disabled, [
        '--disable-content-trust',
      ]);
      expect(flag.code).toBe(0);
      expect(await readFile(join(disabled, 'manifest.json'))).toEqual(
        moved.img.manifest,
      );
    });

    it('pull prints which digest and which role vouched for the tag', async () => {
      const signed = await env.push('dct/report', 'v1', true);
      const out = join(await env.peers.tempDir(), 'out');
      const r = await pull('dct/report:v1', out);
      expect(r.code).toBe(0);
      expect(r.stdout.trim().split('\n')).toEqual([
        `Copied docker://${env.proxy.host}/dct/report:v1 to dir:${out}: ${signed.img.manifestDigest} (2 blobs, 0 signatures)`,
        `  content trust: ${env.proxy.host}/dct/report:v1 resolved to ${signed.img.manifestDigest} (signed by targets, notary server ${env.peers.serverUrl})`,
      ]);
    });

    it('right after a push, a pull works without the notary server: the cache holds what was published', async () => {
      await env.push('dct/offline', 'v1', true);
      const v2 = await env.push('dct/offline', 'v2', true);
      const dead = `https://127.0.0.1:${await freePort()}`;
      const out = join(await env.peers.tempDir(), 'out');
      const r = await pull('dct/offline:v2', out, [], {
        DOCKER_CONTENT_TRUST_SERVER: dead,
      });
      expect(r.stderr).toContain(
        `${env.proxy.host}/dct/offline: using the cached timestamp`,
      );
      expect(r.code).toBe(0);
      expect(await readFile(join(out, 'manifest.json'))).toEqual(
        v2.img.manifest,
      );
    });

    it('an unsigned tag in a signed repository is refused and nothing is written', async () => {
      await env.push('dct/partly', 'v1', true);
      await env.push('dct/partly', 'v2', false);
      const out = join(await env.peers.tempDir(), 'out');
      const before = env.proxy.log.length;
      const r = await pull('dct/partly:v2', out);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        `content trust for ${env.proxy.host}/dct/partly:v2 (notary server ${env.peers.serverUrl}): ${env.proxy.host}/dct/partly: No valid trust data for v2`,
      );
      expect(existsSync(out)).toBe(false);
      expect(env.proxy.log.slice(before)).toEqual([]);
    });

    it('copy to a signed destination: the tag resolved at the source is signed at the destination', async () => {
      const signed = await env.push('dct/src', 'v1', true);
      await env.push('dct/src', 'v1', false);
      const r = await env.imgsign([
        'copy',
        '--insecure-policy',
        '--src-tls-verify=false',
        '--dest-tls-verify=false',
        `docker://${env.proxy.host}/dct/src:v1`,
        `docker://${env.proxy.host}/dct/mirror:v1`,
      ]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(await env.notaryList(`${env.proxy.host}/dct/mirror`)).toMatch(
        new RegExp(`^v1\\s+${hexOf(signed.img.manifestDigest)}\\s`, 'm'),
      );
    });

    it('--dry-run reports what would be resolved and signed and publishes nothing', async () => {
      const signed = await env.push('dct/dry', 'v1', true);
      const r = await env.imgsign([
        'copy',
        '--insecure-policy',
        '--dry-run',
        '--src-tls-verify=false',
        '--dest-tls-verify=false',
        `docker://${env.proxy.host}/dct/dry:v1`,
        `docker://${env.proxy.host}/dct/dry-dest:v1`,
      ]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(
        `  content trust: ${env.proxy.host}/dct/dry:v1 resolved to ${signed.img.manifestDigest}`,
      );
      expect(r.stdout).toContain(
        `  content trust: would sign ${env.proxy.host}/dct/dry-dest:v1 as ${signed.img.manifestDigest} (${signed.img.manifest.length} bytes)`,
      );
      const list = await env.peers.notaryCli(
        ['list', `${env.proxy.host}/dct/dry-dest`],
        { trustDir: env.trustDir, allowFailure: true },
      );
      expect(list.code).not.toBe(0);
    });

    it('when signing fails after the push, says the image was pushed but not signed', async () => {
      const { dir, img } = await env.dirImage('unsignable');
      const r = await env.imgsign(
        [
          'copy',
          '--insecure-policy',
          '--dest-tls-verify=false',
          `dir:${dir}`,
          `docker://${env.proxy.host}/dct/unsigned-push:v1`,
        ],
        // A new repository needs a new root key: no passphrase, no terminal.
        {
          DOCKER_CONFIG: await env.peers.dockerConfigDir(),
          DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE: undefined,
          DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE: undefined,
        },
      );
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(
        `docker://${env.proxy.host}/dct/unsigned-push:v1 was pushed (${img.manifestDigest}) but NOT signed for content trust: `,
      );
      // The image is in the registry (plain pull finds it).
      const out = join(await env.peers.tempDir(), 'out');
      const plain = await pull('dct/unsigned-push:v1', out, [], {
        DOCKER_CONTENT_TRUST: '0',
      });
      expect(plain.code).toBe(0);
      expect(await readFile(join(out, 'manifest.json'))).toEqual(img.manifest);
    });
  },
);
