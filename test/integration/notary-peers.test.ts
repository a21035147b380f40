import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithPeers } from '../helpers/peers.js';
import { startNotaryPeers, type NotaryPeers } from '../helpers/notary.js';

const gun = 'example.com/imgsign/smoke';
const content = 'a target published by the notary CLI\n';
const sha256 = createHash('sha256').update(content).digest('hex');

/**
 * Peers with `gun` published by the notary CLI (init, add v1, publish),
 * its keys kept in `<dockerConfig>/trust` so docker can use them too.
 */
function usePublishedRepo(): {
  peers: () => NotaryPeers;
  dockerConfig: () => string;
} {
  let peers: NotaryPeers | undefined;
  let dockerConfig = '';
  beforeAll(async () => {
    peers = await startNotaryPeers();
    dockerConfig = await peers.dockerConfigDir();
    const cli = { trustDir: join(dockerConfig, 'trust') };
    const file = join(await peers.tempDir(), 'target.txt');
    await writeFile(file, content);
    await peers.notaryCli(['init', gun], cli);
    await peers.notaryCli(['add', gun, 'v1', file], cli);
    await peers.notaryCli(['publish', gun], cli);
  });
  afterAll(async () => {
    await peers?.stop();
  });
  return { peers: () => peers!, dockerConfig: () => dockerConfig };
}

// The peers themselves: the real notary CLI publishes through the real
// notary-server (+ notary-signer) and reads it back.
describeWithPeers(
  'real notary-server and notary-signer with the notary CLI',
  ['notary-server', 'notary-signer', 'notary'],
  () => {
    const repo = usePublishedRepo();
    let peers: NotaryPeers;
    beforeAll(() => {
      peers = repo.peers();
    });

    it('lists the published target with the notary CLI from a fresh trust dir', async () => {
      const fresh = await peers.tempDir();
      const { stdout } = await peers.notaryCli(['list', gun], {
        trustDir: fresh,
      });
      const row = stdout.split('\n').find((l) => l.startsWith('v1 '));
      expect(row?.split(/\s+/)).toEqual([
        'v1',
        sha256,
        String(Buffer.byteLength(content)),
        'targets',
      ]);
    });

    it('reports a GUN nobody published as missing trust data', async () => {
      const res = await peers.notaryCli(['list', 'example.com/imgsign/none'], {
        trustDir: await peers.tempDir(),
        allowFailure: true,
      });
      expect(res.code).not.toBe(0);
      expect(res.stdout + res.stderr).toMatch(/does not have trust data/);
    });
  },
);

// docker trust (no daemon, no registry) against the same kind of server.
describeWithPeers(
  'real notary-server and notary-signer with docker trust',
  ['notary-server', 'notary-signer', 'notary', 'docker'],
  () => {
    const repo = usePublishedRepo();
    let peers: NotaryPeers;
    let dockerConfig: string;
    beforeAll(() => {
      peers = repo.peers();
      dockerConfig = repo.dockerConfig();
    });

    it('shows the target in docker trust inspect (no daemon, no registry)', async () => {
      const { stdout } = await peers.dockerTrust(['inspect', gun], {
        dockerConfig: await peers.dockerConfigDir(),
      });
      const parsed = JSON.parse(stdout) as {
        Name: string;
        SignedTags: { SignedTag: string; Digest: string; Signers: string[] }[];
      }[];
      expect(parsed).toHaveLength(1);
      expect(parsed[0]?.Name).toBe(gun);
      expect(parsed[0]?.SignedTags).toEqual([
        { SignedTag: 'v1', Digest: sha256, Signers: ['Repo Admin'] },
      ]);
    });

    it('lets docker add a signer and sign the existing tag with the shared keys', async () => {
      const keys = await peers.tempDir();
      const d = { dockerConfig };
      await peers.dockerTrust(['key', 'generate', 'alice', '--dir', keys], d);
      await peers.dockerTrust(
        ['signer', 'add', '--key', join(keys, 'alice.pub'), 'alice', gun],
        d,
      );
      await peers.dockerTrust(['sign', `${gun}:v1`], d);
      const { stdout } = await peers.dockerTrust(['inspect', '--pretty', gun], {
        dockerConfig: await peers.dockerConfigDir(),
      });
      expect(stdout).toMatch(new RegExp(`^v1\\s+${sha256}\\s+alice$`, 'm'));
      expect(stdout).toMatch(/^alice\s+[0-9a-f]{12}$/m);
    });

    it('cannot sign a tag that is not a target yet without a docker daemon', async () => {
      const res = await peers.dockerTrust(['sign', `${gun}:v2`], {
        dockerConfig,
        allowFailure: true,
      });
      expect(res.code).not.toBe(0);
      expect(res.stderr).toMatch(/daemon/i);
    });
  },
);
