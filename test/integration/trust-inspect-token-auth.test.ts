import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startNotaryPeers, type NotaryPeers } from '../helpers/notary.js';
import { describeWithPeers } from '../helpers/peers.js';

// A notary-server behind registry token auth: like docker, imgsign trust
// inspect answers the challenge with the *registry's* credentials from the
// docker config (`auths["example.com"]`), not the notary server's host.
describeWithPeers(
  'imgsign trust inspect with token auth (real notary-server)',
  ['notary-server', 'notary-signer', 'docker'],
  () => {
    let peers: NotaryPeers;
    const gun = 'example.com/imgsign/authed-inspect';

    /** A docker config with the server CA and, optionally, registry credentials. */
    async function config(withAuth: boolean): Promise<string> {
      const dir = await peers.dockerConfigDir();
      if (withAuth) {
        const auth = Buffer.from(
          `${peers.username}:${peers.password}`,
        ).toString('base64');
        await writeFile(
          join(dir, 'config.json'),
          JSON.stringify({ auths: { 'example.com': { auth } } }),
        );
      }
      return dir;
    }

    const imgsign = async (dir: string, args: string[]) =>
      runCli(['trust', 'inspect', ...args], {
        env: {
          DOCKER_CONFIG: dir,
          DOCKER_CONTENT_TRUST_SERVER: peers.serverUrl,
          HOME: await peers.tempDir(),
          XDG_RUNTIME_DIR: undefined,
          REGISTRY_AUTH_FILE: undefined,
        },
      });

    beforeAll(async () => {
      peers = await startNotaryPeers({ auth: 'token' });
      // docker initializes the repository with the same credentials.
      const dockerConfig = await config(true);
      const keys = await peers.tempDir();
      const d = { dockerConfig };
      await peers.dockerTrust(['key', 'generate', 'alice', '--dir', keys], d);
      await peers.dockerTrust(
        ['signer', 'add', '--key', join(keys, 'alice.pub'), 'alice', gun],
        d,
      );
    }, 120_000);
    afterAll(async () => {
      await peers?.stop();
    });

    it('uses the registry credentials of the docker config and prints what docker prints', async () => {
      for (const args of [[gun], ['--pretty', gun]]) {
        const theirs = await peers.dockerTrust(['inspect', ...args], {
          dockerConfig: await config(true),
        });
        const ours = await imgsign(await config(true), args);
        expect(ours.stderr).toBe('');
        expect(ours.code).toBe(0);
        expect(ours.stdout).toBe(theirs.stdout);
      }
      expect(
        peers.tokenIssuer!.requests.some(
          (r) => r.authenticated && r.scopes.includes(`repository:${gun}:pull`),
        ),
      ).toBe(true);
    });

    it('fails like docker without credentials', async () => {
      const theirs = await peers.dockerTrust(['inspect', gun], {
        dockerConfig: await config(false),
        allowFailure: true,
      });
      const ours = await imgsign(await config(false), [gun]);
      expect(ours.code).toBe(1);
      expect(theirs.code).toBe(1);
      expect(ours.stdout).toBe(theirs.stdout);
      expect(ours.stderr).toMatch(`no signatures or cannot access ${gun}: `);
      expect(ours.stderr).toMatch(/not authorized/);
    });
  },
);
