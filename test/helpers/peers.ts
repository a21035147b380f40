import { execFileSync } from 'node:child_process';
import { describe } from 'vitest';

/**
 * Real reference tools the interop tests drive. In CI (CI=true) a missing
 * peer is a failure, never a skip: the suite must prove interoperability.
 */
export type Peer =
  | 'gpg'
  | 'skopeo'
  | 'registry'
  | 'notary-server'
  | 'notary-signer'
  | 'notary'
  | 'podman'
  | 'docker';

const binaries: Record<Peer, string> = {
  gpg: 'gpg',
  skopeo: 'skopeo',
  registry: 'docker-registry',
  'notary-server': 'notary-server',
  'notary-signer': 'notary-signer',
  notary: 'notary',
  podman: 'podman',
  docker: 'docker',
};

export function peerBinary(peer: Peer): string {
  return binaries[peer];
}

export function hasPeer(peer: Peer): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${binaries[peer]}`], {
      stdio: 'ignore',
    });
    return true;
  } catch {
    return false;
  }
}

/**
 * `describe` that needs real peers: skipped on a developer machine without
 * them, but failing in CI (the describe body throws so the file fails).
 */
export function describeWithPeers(
  name: string,
  peers: Peer[],
  fn: () => void,
): void {
  const missing = peers.filter((p) => !hasPeer(p));
  if (missing.length === 0) {
    describe(name, fn);
    return;
  }
  if (process.env['CI'] === 'true') {
    describe(name, () => {
      throw new Error(
        `missing peer(s) ${missing.map((p) => binaries[p]).join(', ')}: CI must install them (.ci/run)`,
      );
    });
    return;
  }
  describe.skip(`${name} (missing ${missing.join(', ')})`, fn);
}
