/**
 * Interop: metadata signed by src/notary/tuf (canonical JSON, ecdsa r‖s,
 * rsapss, eddsa, root certificate with CN = GUN) is accepted by the real
 * `notary` client, which verifies a trust cache when the server is down;
 * and a root it must refuse (certificate for another GUN) is refused by
 * both. The server address is a closed loopback port.
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { describeWithPeers, peerBinary } from '../helpers/peers.js';
import { tempDir } from '../helpers/paths.js';
import {
  buildRepo,
  certKey,
  ecKey,
  edKey,
  rsaKey,
  type RepoOptions,
} from '../helpers/notary-tuf/fake-repo.js';
import {
  trustFailure,
  updateFrom,
} from '../helpers/notary-tuf/memory-source.js';

const run = promisify(execFile);

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** `notary list` over a trust cache holding these files: stdout, or the error output. */
async function notaryList(
  gun: string,
  files: Map<string, Buffer>,
  role?: string,
): Promise<{ ok: boolean; out: string }> {
  const home = await tempDir('imgsign-notary-interop-');
  const trust = join(home, 'trust');
  for (const [r, bytes] of files) {
    const path = join(trust, 'tuf', gun, 'metadata', `${r}.json`);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, bytes);
  }
  const args = ['-d', trust, '-s', `https://127.0.0.1:${await closedPort()}`];
  args.push('list', gun, ...(role ? ['-r', role] : []));
  try {
    const { stdout } = await run(peerBinary('notary'), args, {
      env: { ...process.env, HOME: home },
    });
    return { ok: true, out: stdout };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return { ok: false, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describeWithPeers(
  'notary CLI accepts metadata signed by imgsign',
  ['notary'],
  () => {
    // notary checks certificates against the real clock.
    const now = new Date();
    const gun = 'docker.io/imgsign/interop';

    it('lists targets from targets and from rsapss / eddsa delegations', async () => {
      const o: RepoOptions = {
        gun,
        now,
        targets: { admin: Buffer.from('admin manifest') },
        delegations: [
          {
            name: 'targets/releases',
            keys: [rsaKey()],
            targets: { v1: Buffer.from('release manifest') },
          },
          {
            name: 'targets/alice',
            keys: [edKey()],
            targets: { beta: Buffer.from('beta') },
          },
        ],
      };
      const built = buildRepo(o);
      await updateFrom(gun, built.files, { now });
      const all = await notaryList(gun, built.files);
      expect(all.out).toMatch(/admin\s+[0-9a-f]{64}\s+14\s+targets\n/);
      expect(all.out).toMatch(/v1\s+[0-9a-f]{64}\s+16\s+targets\/releases\n/);
      expect(all.out).toMatch(/beta\s+[0-9a-f]{64}\s+4\s+targets\/alice\n/);
      expect(all.ok).toBe(true);
    });

    it('both refuse a root certificate issued for another GUN', async () => {
      const built = buildRepo({
        gun,
        now,
        targets: { admin: Buffer.from('x') },
        keys: {
          root: certKey('docker.io/imgsign/other', now),
          targets: ecKey(),
        },
      });
      const theirs = await notaryList(gun, built.files);
      expect(theirs.ok).toBe(false);
      expect(theirs.out).toMatch(/unable to retrieve valid leaf certificates/);
      expect(theirs.out).not.toMatch(/admin\s+[0-9a-f]{64}/);
      const ours = await trustFailure(updateFrom(gun, built.files, { now }));
      expect(ours.failure).toBe('root-certificate');
    });
  },
);
