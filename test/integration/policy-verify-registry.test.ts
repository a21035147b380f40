import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { describeWithPeers } from '../helpers/peers.js';
import { startRegistry, type TestRegistry } from '../servers/registry.js';
import {
  type SigningWorld,
  makeSigningWorld,
  registriesDir,
  removeSigningWorld,
  skopeoCopy,
  skopeoVerdict,
  verifyArgs,
} from './sign-push-setup.js';

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
    let world: SigningWorld;
    let work: string;
    let registriesD: string;
    let keyPath: string;
    let otherKeyPath: string;
    let digest: string;
    let lookaside: string;

    beforeAll(async () => {
      registry = await startRegistry();
      world = await makeSigningWorld('imgsign-policy-registry-', registry.host);
      ({ work, digest } = world);
      // Armored keys: skopeo and imgsign read both forms.
      keyPath = world.good.publicKeyArmoredFile;
      otherKeyPath = world.other.publicKeyArmoredFile;
      lookaside = join(work, 'lookaside');
      await mkdir(lookaside);
      registriesD = await registriesDir(
        join(work, 'registries.d'),
        `docker:\n  ${registry.host}:\n    lookaside: file://${lookaside}\n`,
      );
      const copy = (dest: string, sign: boolean) =>
        skopeoCopy(`dir:${world.image}`, `docker://${registry.host}/${dest}`, {
          registriesD,
          key: world.good,
          ...(sign ? { signBy: world.good.fingerprint } : {}),
        });
      await copy('team/app:1', true);
      await copy('team/unsigned:1', false);
    }, 120_000);

    afterAll(async () => {
      await registry?.stop();
      await removeSigningWorld(world);
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

    /** Whether skopeo copy --policy accepts `image`; any other failure throws. */
    async function skopeoAllows(
      policyPath: string,
      image: string,
    ): Promise<boolean> {
      const verdict = await skopeoVerdict(work, image, policyPath, registriesD);
      if (verdict === 'invalid-policy') {
        throw new Error(`skopeo found ${policyPath} invalid`);
      }
      return verdict === 'accept';
    }

    /** A signedBy requirement on `key`, with `signedIdentity` when given. */
    const signedBy = (signedIdentity?: object, key = keyPath) => ({
      type: 'signedBy',
      keyType: 'GPGKeys',
      keyPath: key,
      ...(signedIdentity ? { signedIdentity } : {}),
    });

    const verify = (policyPath: string, image: string, extra: string[] = []) =>
      runCli(verifyArgs(`docker://${image}`, policyPath, registriesD, extra));

    it('accepts the signed image and prints the digest-pinned reference', async () => {
      const p = await policy({ [registry.host]: [signedBy()] }, 'basic');
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
      const p = await policy({ [registry.host]: [signedBy()] }, 'unsigned');
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
        () => ({ [host()]: [signedBy({ type: 'matchExact' })] }),
        () => `${host()}/team/app:1`,
      ],
      [
        'matchExact, by digest',
        () => ({ [host()]: [signedBy({ type: 'matchExact' })] }),
        () => `${host()}/team/app@${digest}`,
      ],
      [
        'matchRepoDigestOrExact, by digest',
        () => ({ [host()]: [signedBy()] }),
        () => `${host()}/team/app@${digest}`,
      ],
      [
        'matchRepository',
        () => ({ [host()]: [signedBy({ type: 'matchRepository' })] }),
        () => `${host()}/team/app:1`,
      ],
      [
        'exactReference other tag',
        () => ({
          [host()]: [
            signedBy({
              type: 'exactReference',
              dockerReference: `${host()}/team/app:2`,
            }),
          ],
        }),
        () => `${host()}/team/app:1`,
      ],
      [
        'exactRepository',
        () => ({
          [host()]: [
            signedBy({
              type: 'exactRepository',
              dockerRepository: `${host()}/team/app`,
            }),
          ],
        }),
        () => `${host()}/team/app@${digest}`,
      ],
      [
        'remapIdentity to another registry',
        () => ({
          [host()]: [
            signedBy({
              type: 'remapIdentity',
              prefix: `${host()}/team`,
              signedPrefix: 'vendor.example.com',
            }),
          ],
        }),
        () => `${host()}/team/app:1`,
      ],
      [
        'remapIdentity, prefix not applying',
        () => ({
          [host()]: [
            signedBy({
              type: 'remapIdentity',
              prefix: `${host()}/other`,
              signedPrefix: 'vendor.example.com',
            }),
          ],
        }),
        () => `${host()}/team/app:1`,
      ],
      [
        'other key',
        () => ({ [host()]: [signedBy(undefined, otherKeyPath)] }),
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
          [`${host()}/team/app`]: [signedBy()],
        }),
        () => `${host()}/team/app:1`,
      ],
      [
        'namespace scope',
        () => ({
          [`${host()}/team`]: [signedBy(undefined, otherKeyPath)],
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
            signedBy({
              type: 'remapIdentity',
              prefix: `${registry.host}/team`,
              signedPrefix: 'vendor.example.com',
            }),
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
