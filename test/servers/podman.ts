import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { request, Agent } from 'undici';

/**
 * `podman system service` on a private unix socket, serving the Docker
 * Engine API that docker-daemon: speaks. Runs as root with the vfs storage
 * driver and every path (storage, run, engine tmp, events) under one temp
 * directory, so it neither needs nor touches the host's container storage.
 */
export interface PodmanService {
  socketPath: string;
  /** `unix://<socketPath>`, for SystemContext.dockerHost / DOCKER_HOST. */
  dockerHost: string;
  /** Environment for running `podman` CLI commands against the same storage. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startPodmanService(): Promise<PodmanService> {
  // Short base path: unix socket paths are limited to ~108 bytes.
  const dir = await mkdtemp('/tmp/imgsign-podman-');
  const storageConf = join(dir, 'storage.conf');
  const containersConf = join(dir, 'containers.conf');
  await writeFile(
    storageConf,
    [
      '[storage]',
      'driver = "vfs"',
      `graphroot = "${dir}/graph"`,
      `runroot = "${dir}/run"`,
      '',
    ].join('\n'),
  );
  await writeFile(
    containersConf,
    [
      '[engine]',
      `tmp_dir = "${dir}/engine"`,
      'events_logger = "file"',
      `events_logfile_path = "${dir}/events.log"`,
      'cgroup_manager = "cgroupfs"',
      '',
    ].join('\n'),
  );
  const socketPath = join(dir, 'podman.sock');
  const env = {
    CONTAINERS_STORAGE_CONF: storageConf,
    CONTAINERS_CONF: containersConf,
  };
  const child = spawn(
    'podman',
    ['system', 'service', '--time=0', `unix://${socketPath}`],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const stderr: Buffer[] = [];
  child.stderr?.on('data', (d: Buffer) => stderr.push(d));
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => resolve(code)),
  );

  const stop = async (): Promise<void> => {
    await terminate(child, exited);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitForPing(socketPath, exited, () =>
      Buffer.concat(stderr).toString('utf8'),
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { socketPath, dockerHost: `unix://${socketPath}`, env, stop };
}

async function terminate(
  child: ChildProcess,
  exited: Promise<number | null>,
): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
  }
  await exited;
}

/**
 * Readiness: the service answers `GET /_ping`. Connection attempts are
 * retried until it does, the process exits, or 60 s pass.
 */
async function waitForPing(
  socketPath: string,
  exited: Promise<number | null>,
  log: () => string,
): Promise<void> {
  let dead = false;
  void exited.then(() => (dead = true));
  const agent = new Agent({ connect: { socketPath } });
  const deadline = Date.now() + 60_000;
  try {
    for (;;) {
      if (dead) throw new Error(`podman system service exited: ${log()}`);
      try {
        const res = await request('http://podman/_ping', { dispatcher: agent });
        const text = await res.body.text();
        if (res.statusCode === 200 && text === 'OK') return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        throw new Error(`podman system service did not answer: ${log()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await agent.close();
  }
}
