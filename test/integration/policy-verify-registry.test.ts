import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { repoRoot } from '../helpers/paths.js';
import { describeWithPeers } from '../helpers/peers.js';
import { startRegistry, type TestRegistry } from '../servers/registry.js';

const run = promisify(execFile);

/**
 * `imgsign verify` of registry images signed by skopeo into a file:
 * lookaside, beside `skopeo copy --policy` on the same policy: same verdict
 * for each signedIdentity type, scope and reference form; accepted images
 * are named by their digest-pinned reference.
 */
describeWithPeers(
  'imgsign verify on a loopback registry vs skopeo',
  ['skopeo', 'registry', 'gpg'],
  () => {
    let registry: TestRegistry;
    let work: string;
    let registriesD: string;
    let keyPath: string;
    let otherKeyPath: string;
    let digest: string;
    let gnupg: string;
    let lookaside: string;

    async function genKey(
      home: string,
      uid: string,
    ): Promise<{ fpr: string; key: string }> {
      await mkdir(home, { mode: 0o700 });
      const env = { ...process.env, GNUPGHOME: home };
      await run(
        'gpg',
        [
          '--batch',
          '--passphrase',
          '',
          '--quick-gen-key',
          uid,
          'ed25519',
          'sign',
          'never',
        ],
        { env },
      );
      const { stdout } = await run(
        'gpg',
        ['--batch', '--with-colons', '--list-keys', uid],
        { env },
      );
      const fpr =
        stdout
          .split('\n')
          .find((l) => l.startsWith('fpr:'))
          ?.split(':')[9] ?? '';
      const exported = await run(
        'gpg',
        ['--batch', '--export', '--armor', fpr],
        { env },
      );
      const key = join(work, `${uid}.asc`);
      await writeFile(key, exported.stdout);
      return { fpr, key };
    }

    beforeAll(async () => {
      work = await mkdtemp(join(tmpdir(), 'imgsign-policy-registry-'));
      await chmod(work, 0o755);
      registry = await startRegistry();
      lookaside = join(work, 'lookaside');
      await mkdir(lookaside);
      registriesD = join(work, 'registries.d');
      await mkdir(registriesD);
      await writeFile(
        join(registriesD, 'test.yaml'),
        `docker:\n  ${registry.host}:\n    lookaside: file://${lookaside}\n`,
      );
      gnupg = join(work, 'gnupg');
      const signer = await genKey(gnupg, 'signer@example.com');
      keyPath = signer.key;
      otherKeyPath = (
        await genKey(join(work, 'gnupg-other'), 'other@example.com')
      ).key;
      const image = join(work, 'image');
      await run(process.execPath, [
        join(repoRoot, 'scripts/make-demo-image.js'),
        image,
      ]);
      digest = (
        await run('skopeo', ['manifest-digest', join(image, 'manifest.json')])
      ).stdout.trim();
      const copy = (dest: string, sign: boolean) =>
        run(
          'skopeo',
          [
            '--insecure-policy',
            '--registries.d',
            registriesD,
            'copy',
            '--dest-tls-verify=false',
            ...(sign ? ['--sign-by', signer.fpr] : []),
            `dir:${image}`,
            `docker://${registry.host}/${dest}`,
          ],
          { env: { ...process.env, GNUPGHOME: gnupg } },
        );
      await copy('team/app:1', true);
      await copy('team/unsigned:1', false);
    }, 120_000);

    afterAll(async () => {
      for (const home of ['gnupg', 'gnupg-other']) {
        await run('gpgconf', ['--kill', 'gpg-agent'], {
          env: { ...process.env, GNUPGHOME: join(work, home) },
        }).catch(() => undefined);
      }
      await registry?.stop();
      await rm(work, { recursive: true, force: true });
    });

    async function policy(
      docker: Record<string, object[]>,
      name: string,
    ): Promise<string> {
      const path = join(work, `${name}.json`);
      await writeFile(
        path,
        JSON.stringify({
          default: [{ type: 'reject' }],
          transports: { docker },
        }),
      );
      return path;
    }

    async function skopeoAllows(
      policyPath: string,
      image: string,
    ): Promise<boolean> {
      const dest = await mkdtemp(join(work, 'out-'));
      try {
        await run('skopeo', [
          '--registries.d',
          registriesD,
          'copy',
          '--policy',
          policyPath,
          '--src-tls-verify=false',
          `docker://${image}`,
          `dir:${dest}`,
        ]);
        return true;
      } catch (err) {
        const stderr = String((err as { stderr?: string }).stderr ?? '');
        if (/Source image rejected/.test(stderr)) return false;
        throw new Error(`skopeo failed: ${stderr}`);
      }
    }

    const verify = (policyPath: string, image: string, extra: string[] = []) =>
      runCli([
        'verify',
        '--policy',
        policyPath,
        '--registries.d',
        registriesD,
        '--tls-verify=false',
        ...extra,
        `docker://${image}`,
      ]);

    it('accepts the signed image and prints the digest-pinned reference', async () => {
      const p = await policy(
        {
          [registry.host]: [{ type: 'signedBy', keyType: 'GPGKeys', keyPath }],
        },
        'basic',
      );
      const r = await verify(p, `${registry.host}/team/app:1`);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toContain(
        `ACCEPTED docker://${registry.host}/team/app:1`,
      );
      expect(r.stdout).toContain(
        `policy section: transports.docker["${registry.host}"]`,
      );
      expect(r.stdout).toContain(
        `  deploy: ${registry.host}/team/app@${digest}`,
      );
      expect(await skopeoAllows(p, `${registry.host}/team/app:1`)).toBe(true);
    });

    it('rejects an unsigned image, naming where it looked', async () => {
      const p = await policy(
        {
          [registry.host]: [{ type: 'signedBy', keyType: 'GPGKeys', keyPath }],
        },
        'unsigned',
      );
      const r = await verify(p, `${registry.host}/team/unsigned:1`);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain(
        `A signature was required, but no signature exists (looked in lookaside file://${lookaside}/team/unsigned@`,
      );
      expect(r.stdout).not.toContain('deploy:');
      expect(await skopeoAllows(p, `${registry.host}/team/unsigned:1`)).toBe(
        false,
      );
    });

    const host = () => registry.host;
    const cases: [string, () => Record<string, object[]>, () => string][] = [
      [
        'matchExact, same tag',
        () => ({
          [host()]: [
            {
              type: 'signedBy',
              keyType: 'GPGKeys',
              keyPath,
              signedIdentity: { type: 'matchExact' },
            },
          ],
        }),
        () => `${host()}/team/app:1`,
      ],
      [
        'matchExact, by digest',
        () => ({
          [host()]: [
            {
              type: 'signedBy',
              keyType: 'GPGKeys',
              keyPath,
              signedIdentity: { type: 'matchExact' },
            },
          ],
        }),
        () => `${host()}/team/app@${digest}`,
      ],
      [
        'matchRepoDigestOrExact, by digest',
        () => ({
          [host()]: [{ type: 'signedBy', keyType: 'GPGKeys', keyPath }],
        }),
        () => `${host()}/team/app@${digest}`,
      ],
      [
        'matchRepository',
        () => ({
          [host()]: [
            {
              type: 'signedBy',
              keyType: 'GPGKeys',
              keyPath,
              signedIdentity: { type: 'matchRepository' },
            },
          ],
        }),
        () => `${host()}/team/app:1`,
      ],
      [
        'exactReference other tag',
        () => ({
          [host()]: [
            {
              type: 'signedBy',
              keyType: 'GPGKeys',
              keyPath,
              signedIdentity: {
                type: 'exactReference',
                dockerReference: `${host()}/team/app:2`,
              },
            },
          ],
        }),
        () => `${host()}/team/app:1`,
      ],
      [
        'exactRepository',
        () => ({
          [host()]: [
            {
              type: 'signedBy',
              keyType: 'GPGKeys',
              keyPath,
              signedIdentity: {
                type: 'exactRepository',
                dockerRepository: `${host()}/team/app`,
              },
            },
          ],
        }),
        () => `${host()}/team/app@${digest}`,
      ],
      [
        'remapIdentity to another registry',
        () => ({
          [host()]: [
            {
              type: 'signedBy',
              keyType: 'GPGKeys',
              keyPath,
              signedIdentity: {
                type: 'remapIdentity',
                prefix: `${host()}/team`,
                signedPrefix: 'vendor.example.com',
              },
            },
          ],
        }),
        () => `${host()}/team/app:1`,
      ],
      [
        'remapIdentity, prefix not applying',
        () => ({
          [host()]: [
            {
              type: 'signedBy',
              keyType: 'GPGKeys',
              keyPath,
              signedIdentity: {
                type: 'remapIdentity',
                prefix: `${host()}/other`,
                signedPrefix: 'vendor.example.com',
              },
            },
          ],
        }),
        () => `${host()}/team/app:1`,
      ],
      [
        'other key',
        () => ({
          [host()]: [
            { type: 'signedBy', keyType: 'GPGKeys', keyPath: otherKeyPath },
          ],
        }),
        () => `${host()}/team/app:1`,
      ],
      [
        'both keys',
        () => ({
          [host()]: [
            {
              type: 'signedBy',
              keyType: 'GPGKeys',
              keyPaths: [otherKeyPath, keyPath],
            },
          ],
        }),
        () => `${host()}/team/app:1`,
      ],
      [
        'repository scope more specific than host',
        () => ({
          [host()]: [{ type: 'reject' }],
          [`${host()}/team/app`]: [
            { type: 'signedBy', keyType: 'GPGKeys', keyPath },
          ],
        }),
        () => `${host()}/team/app:1`,
      ],
      [
        'namespace scope',
        () => ({
          [`${host()}/team`]: [
            { type: 'signedBy', keyType: 'GPGKeys', keyPath: otherKeyPath },
          ],
        }),
        () => `${host()}/team/app:1`,
      ],
      [
        'port-less host scope does not apply',
        () => ({ '127.0.0.1': [{ type: 'insecureAcceptAnything' }] }),
        () => `${host()}/team/app:1`,
      ],
      [
        'transport default',
        () => ({ '': [{ type: 'insecureAcceptAnything' }] }),
        () => `${host()}/team/unsigned:1`,
      ],
    ];

    it.each(cases)(
      '%s: same verdict as skopeo',
      async (name, docker, image) => {
        const p = await policy(docker(), name.replace(/\W+/g, '-'));
        const expected = await skopeoAllows(p, image());
        const r = await verify(p, image());
        expect(r.code, r.stdout + r.stderr).toBe(expected ? 0 : 1);
      },
    );

    it('explains an identity mismatch under remapIdentity', async () => {
      const p = await policy(
        {
          [registry.host]: [
            {
              type: 'signedBy',
              keyType: 'GPGKeys',
              keyPath,
              signedIdentity: {
                type: 'remapIdentity',
                prefix: `${registry.host}/team`,
                signedPrefix: 'vendor.example.com',
              },
            },
          ],
        },
        'remap-message',
      );
      const r = await verify(p, `${registry.host}/team/app:1`);
      expect(r.stdout).toContain(
        `identity "${registry.host}/team/app:1" is not accepted for "vendor.example.com/app:1" under remapIdentity ${registry.host}/team -> vendor.example.com`,
      );
    });
  },
);
