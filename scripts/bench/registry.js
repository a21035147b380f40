// A throwaway Debian `docker-registry` on loopback for benchmarks: fresh
// storage each time, so no run profits from blobs an earlier run pushed.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A free loopback TCP port (also for the notary servers of the trust section). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitUntilUp(url, child) {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error('docker-registry exited');
    try {
      const res = await fetch(`${url}/v2/`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`docker-registry at ${url} did not start`);
}

export async function startBenchRegistry() {
  const dir = mkdtempSync(join(tmpdir(), 'imgsign-bench-registry-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  writeFileSync(
    join(dir, 'config.yml'),
    'version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n' +
      `storage:\n  filesystem:\n    rootdirectory: ${join(dir, 'storage')}\n` +
      '  maintenance:\n    uploadpurging:\n      enabled: false\n' +
      `http:\n  addr: ${host}\n  secret: imgsign-bench\n`,
  );
  const child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], {
    stdio: 'ignore',
  });
  const url = `http://${host}`;
  await waitUntilUp(url, child);
  return {
    host,
    url,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) =>
        child.exitCode !== null ? r() : child.on('exit', r),
      );
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
