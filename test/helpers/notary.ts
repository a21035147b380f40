import { execFile, execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import {
  createServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { connect as tlsConnect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { listenOnLoopback } from '../servers/loopback.js';
import { freePort } from '../servers/registry.js';
import { startTokenIssuer, type TokenIssuer } from '../servers/token-issuer.js';
import { NotaryHTTPStore } from '../../src/notary/http-store.js';

/**
 * Real Notary peers for integration tests: Debian `notary-signer` (memory
 * key storage, gRPC over mutual TLS) and `notary-server` (memory metadata
 * storage, trust service = that signer), both on free loopback ports in a
 * temp dir, with a throwaway CA made by `openssl`. Start one set per test
 * file (beforeAll) and always stop() it (afterAll).
 *
 * Start-up order: the signer first, ready when a mutual-TLS handshake
 * (as notary-server makes it) succeeds; then the server, ready when
 * `/_notary_server/health` answers 200. (The health check answers 200 before
 * the signer listens, and a server that dialled too early fails its first
 * key requests with 500, so the order matters.)
 *
 * Clients of the set:
 * - `notaryCli`: the real `notary` client (`-s URL --tlscacert CA -d DIR`),
 *   every passphrase TEST_PASSPHRASE. With `auth: 'token'` it would prompt
 *   for a login: use NotaryHTTPStore with credentials there instead.
 * - `dockerTrust`: the real `docker trust …` CLI with DOCKER_CONFIG,
 *   DOCKER_CONTENT_TRUST_SERVER and both passphrases set, and DOCKER_HOST
 *   at a socket that does not exist (no daemon is ever reached). Checked
 *   with docker 28.2:
 *   - works: `inspect [--pretty]`, `key generate`, `key load`,
 *     `signer add` (initializes the repository if needed, snapshot key held
 *     by the server), `revoke`, and `sign IMAGE:TAG` when the tag is
 *     already a target (e.g. added with `notary add`) and the keys are in
 *     `$DOCKER_CONFIG/trust/private` (use `dockerConfigDir()/trust` as the
 *     notary CLI's trust dir to share keys).
 *   - does not work: `sign` of a tag that is not a target yet (docker
 *     pushes the local image first: needs the daemon; fails with "Cannot
 *     connect to the Docker daemon"). `signer remove -f` of the only
 *     `targets/releases` signer exits 0 but changes nothing.
 *   - docker never talks to the image's registry for these commands, so no
 *     docker-registry is needed for the GUN's registry part.
 *   - TLS: docker trusts `$DOCKER_CONFIG/tls/<host:port>/ca.crt` for the
 *     server; for GUNs on a loopback registry (`localhost:5000/…`,
 *     `127.0.0.1:…/…`) it skips server verification altogether (an
 *     "insecure registry" by default), so use a non-loopback GUN
 *     (`example.com/…`) to exercise verification.
 */
export interface NotaryPeers {
  /** `https://127.0.0.1:PORT` */
  serverUrl: string;
  /** `127.0.0.1:PORT` */
  serverHost: string;
  /** PEM of the CA that issued the server's certificate. */
  caFile: string;
  /** With `auth: 'token'`: the issuer notary-server trusts, and its user. */
  tokenIssuer?: TokenIssuer;
  username?: string;
  password?: string;
  /** Run `notary -s URL --tlscacert CA -d trustDir ARGS`. */
  notaryCli(args: string[], options: NotaryCliOptions): Promise<PeerResult>;
  /** A fresh DOCKER_CONFIG dir with `tls/<serverHost>/ca.crt` (removed by stop()). */
  dockerConfigDir(): Promise<string>;
  /** Run `docker trust ARGS` against this server with `dockerConfig` as DOCKER_CONFIG. */
  dockerTrust(args: string[], options: DockerTrustOptions): Promise<PeerResult>;
  /** A fresh temp dir removed by stop(). */
  tempDir(prefix?: string): Promise<string>;
  stop(): Promise<void>;
}

export interface PeerResult {
  stdout: string;
  stderr: string;
  code: number;
}

export interface NotaryCliOptions {
  trustDir: string;
  /** Extra env; passphrases default to TEST_PASSPHRASE for every role. */
  env?: Record<string, string>;
  /** Resolve with a non-zero exit code instead of rejecting. */
  allowFailure?: boolean;
}

export interface DockerTrustOptions {
  dockerConfig: string;
  env?: Record<string, string>;
  allowFailure?: boolean;
}

export interface StartNotaryOptions {
  /** notary-server requires registry token auth from test/servers/token-issuer.ts. */
  auth?: 'token';
}

/** Passphrase of every key the helpers' CLIs create. */
export const TEST_PASSPHRASE = 'imgsign-notary-pass';

const READY_TIMEOUT_MS = 30_000;
const POLL_INTERVAL_MS = 50;

export async function startNotaryPeers(
  options: StartNotaryOptions = {},
): Promise<NotaryPeers> {
  // A probed free port may be taken before the server binds it: retry.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (err) {
      if (attempt >= 3 || !/address already in use/.test(String(err))) {
        throw err;
      }
    }
  }
}

async function startOnce(options: StartNotaryOptions): Promise<NotaryPeers> {
  const dir = await mkdtemp(join(tmpdir(), 'imgsign-notary-'));
  const children: ChildProcess[] = [];
  let tokenIssuer: TokenIssuer | undefined;
  const extraDirs: string[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(children.map(stopChild));
    await tokenIssuer?.stop();
    await Promise.all(
      [...extraDirs, dir].map((d) => rm(d, { recursive: true, force: true })),
    );
  };
  try {
    makeCertificates(dir);
    const signerPort = await freePort();
    const serverPort = await freePort();
    const serverHost = `127.0.0.1:${serverPort}`;
    const serverUrl = `https://${serverHost}`;
    await writeFile(
      join(dir, 'signer.json'),
      JSON.stringify({
        server: {
          grpc_addr: `127.0.0.1:${signerPort}`,
          tls_cert_file: 'leaf.crt',
          tls_key_file: 'leaf.key',
          client_ca_file: 'ca.crt',
        },
        logging: { level: 'info' },
        storage: { backend: 'memory' },
      }),
    );
    const username = 'imgsign-user';
    const password = 'imgsign-pass-1';
    if (options.auth === 'token') {
      tokenIssuer = await startTokenIssuer({ dir, username, password });
    }
    await writeFile(
      join(dir, 'server.json'),
      JSON.stringify({
        server: {
          http_addr: serverHost,
          tls_cert_file: 'leaf.crt',
          tls_key_file: 'leaf.key',
        },
        trust_service: {
          type: 'remote',
          hostname: '127.0.0.1',
          port: String(signerPort),
          key_algorithm: 'ecdsa',
          tls_ca_file: 'ca.crt',
          tls_client_cert: 'leaf.crt',
          tls_client_key: 'leaf.key',
        },
        logging: { level: 'info' },
        storage: { backend: 'memory' },
        ...(tokenIssuer
          ? {
              auth: {
                type: 'token',
                options: {
                  realm: tokenIssuer.realm,
                  service: tokenIssuer.service,
                  issuer: tokenIssuer.issuer,
                  rootcertbundle: tokenIssuer.certPath,
                },
              },
            }
          : {}),
      }),
    );
    const signerLog = join(dir, 'signer.log');
    const serverLog = join(dir, 'server.log');
    const caFile = join(dir, 'ca.crt');
    const signer = spawnLogged('notary-signer', dir, 'signer.json', signerLog);
    children.push(signer);
    const signerWatch = { child: signer, log: signerLog };
    // The server must not dial the signer before it listens: gRPC would
    // then fail its first calls (500 "connection refused") even though
    // notary-server's health check already answers 200.
    await pollUntil(
      `notary-signer TLS on 127.0.0.1:${signerPort}`,
      [signerWatch],
      () => signerHandshake(dir, signerPort),
    );
    const server = spawnLogged('notary-server', dir, 'server.json', serverLog);
    children.push(server);
    const agent = new Agent({
      connect: { ca: await readFile(caFile) },
      keepAliveTimeout: 10,
    });
    try {
      await pollUntil(
        `notary-server health at ${serverUrl}`,
        [signerWatch, { child: server, log: serverLog }],
        async () => {
          const res = await request(`${serverUrl}/_notary_server/health`, {
            dispatcher: agent,
          });
          const text = await res.body.text();
          if (res.statusCode !== 200) {
            throw new Error(`HTTP ${res.statusCode}: ${text}`);
          }
        },
      );
    } finally {
      await agent.close();
    }
    const tempDir = async (prefix = 'imgsign-notary-tmp-'): Promise<string> => {
      const d = await mkdtemp(join(tmpdir(), prefix));
      extraDirs.push(d);
      return d;
    };
    const home = join(dir, 'home');
    await mkdir(home);
    return {
      serverUrl,
      serverHost,
      caFile,
      ...(tokenIssuer ? { tokenIssuer, username, password } : {}),
      tempDir,
      stop,
      notaryCli: (args, o) =>
        runPeer(
          'notary',
          ['-s', serverUrl, '--tlscacert', caFile, '-d', o.trustDir, ...args],
          {
            HOME: home,
            NOTARY_ROOT_PASSPHRASE: TEST_PASSPHRASE,
            NOTARY_TARGETS_PASSPHRASE: TEST_PASSPHRASE,
            NOTARY_SNAPSHOT_PASSPHRASE: TEST_PASSPHRASE,
            NOTARY_DELEGATION_PASSPHRASE: TEST_PASSPHRASE,
            ...o.env,
          },
          o.allowFailure ?? false,
          [serverLog, signerLog],
        ),
      dockerConfigDir: async () => {
        const d = await tempDir('imgsign-docker-config-');
        await mkdir(join(d, 'tls', serverHost), { recursive: true });
        await writeFile(
          join(d, 'tls', serverHost, 'ca.crt'),
          await readFile(caFile),
        );
        return d;
      },
      dockerTrust: (args, o) =>
        runPeer(
          'docker',
          ['trust', ...args],
          {
            HOME: home,
            DOCKER_CONFIG: o.dockerConfig,
            DOCKER_CONTENT_TRUST_SERVER: serverUrl,
            DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE: TEST_PASSPHRASE,
            DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE: TEST_PASSPHRASE,
            // Never reach a real daemon from tests.
            DOCKER_HOST: `unix://${join(dir, 'no-docker-daemon.sock')}`,
            DOCKER_CLI_HINTS: 'false',
            ...o.env,
          },
          o.allowFailure ?? false,
          [serverLog, signerLog],
        ),
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** ca.crt/ca.key and one leaf (SAN localhost + 127.0.0.1, server and client auth). */
function makeCertificates(dir: string): void {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  const run = (args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  };
  run([
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '2',
    '-subj',
    '/CN=imgsign-notary-test-ca',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  run([
    'req',
    ...ec,
    '-keyout',
    'leaf.key',
    '-out',
    'leaf.csr',
    '-subj',
    '/CN=localhost',
  ]);
  writeFileSync(
    join(dir, 'leaf.ext'),
    [
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth,clientAuth',
      '',
    ].join('\n'),
  );
  run([
    'x509',
    '-req',
    '-in',
    'leaf.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    'leaf.ext',
    '-out',
    'leaf.crt',
  ]);
}

function spawnLogged(
  binary: string,
  cwd: string,
  config: string,
  logPath: string,
): ChildProcess {
  const fd = openSync(logPath, 'a');
  try {
    return spawn(binary, ['-config', config, '-logf', 'logfmt'], {
      cwd,
      stdio: ['ignore', fd, fd],
    });
  } finally {
    closeSync(fd);
  }
}

/** Run `check` until it resolves; fail at once if a watched child exits. */
async function pollUntil(
  what: string,
  watched: { child: ChildProcess; log: string }[],
  check: () => Promise<void>,
): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    for (const { child, log } of watched) {
      if (child.exitCode !== null || child.signalCode !== null) {
        const tail = (await readFile(log, 'utf8')).slice(-2000);
        throw new Error(
          `${String(child.spawnfile)} exited (${child.exitCode ?? child.signalCode}) while waiting for ${what}: ${tail}`,
        );
      }
    }
    let last: unknown;
    try {
      await check();
      return;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`${what} not ready: ${String(last)}`);
    }
    await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS));
  }
}

/** One mutual-TLS handshake with the signer, as notary-server will make it. */
async function signerHandshake(dir: string, port: number): Promise<void> {
  const [ca, cert, key] = await Promise.all(
    ['ca.crt', 'leaf.crt', 'leaf.key'].map((f) => readFile(join(dir, f))),
  );
  await new Promise<void>((resolve, reject) => {
    const socket = tlsConnect({
      host: '127.0.0.1',
      port,
      ca,
      cert,
      key,
      ALPNProtocols: ['h2'],
    });
    socket.once('secureConnect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function runPeer(
  binary: string,
  args: string[],
  env: Record<string, string>,
  allowFailure: boolean,
  logs: string[],
): Promise<PeerResult> {
  return new Promise((resolve, reject) => {
    execFile(
      binary,
      args,
      {
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env },
        timeout: 120_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        const code =
          err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
        const result = { stdout, stderr, code };
        if (code !== 0 && !allowFailure) {
          // The peers' log tails say why the server side failed.
          const tails = logs.map((l) => {
            try {
              return `\n--- ${l}:\n${readFileSync(l, 'utf8').slice(-3000)}`;
            } catch {
              return '';
            }
          });
          reject(
            new Error(
              `${binary} ${args.join(' ')} failed (${code}): ${stderr.trim() || stdout.trim()}${tails.join('')}`,
            ),
          );
          return;
        }
        resolve(result);
      },
    );
  });
}

/**
 * A hostile or broken "notary server" for security tests: plain http on
 * loopback (use NotaryHTTPStore's `insecureAllowHTTP`). It answers the
 * `GET /v2/` ping itself and hands every other request to `handler`;
 * `requests` records them all (method and path).
 */
export interface FakeNotaryServer {
  /** `http://127.0.0.1:PORT` */
  url: string;
  requests: { method: string; path: string }[];
  stop(): Promise<void>;
}

export async function startFakeNotaryServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<FakeNotaryServer> {
  const requests: FakeNotaryServer['requests'] = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '' });
    if (req.url === '/v2/') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
      return;
    }
    handler(req, res);
  });
  const { url, stop } = await listenOnLoopback(server);
  return { url, requests, stop };
}

/** GUN the fake-server security tests read. */
export const FAKE_GUN = 'example.com/hostile/repo';

/**
 * Runs `use` with a NotaryHTTPStore (test-only plain http) pointed at a
 * fake server answering with `handler`; store and server are always closed.
 */
export async function withFakeNotaryStore<T>(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  use: (store: NotaryHTTPStore, server: FakeNotaryServer) => Promise<T>,
): Promise<T> {
  const server = await startFakeNotaryServer(handler);
  const store = new NotaryHTTPStore({
    serverURL: server.url,
    insecureAllowHTTP: true,
    sys: {},
  });
  try {
    return await use(store, server);
  } finally {
    await store.close();
    await server.stop();
  }
}
