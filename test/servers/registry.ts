import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { listenOnLoopback } from './loopback.js';
import { startTokenIssuer, type TokenIssuer } from './token-issuer.js';

/**
 * A real Debian `docker-registry` (distribution 2.8) on loopback, with
 * filesystem storage in a temp dir, optionally behind htpasswd basic auth or
 * token auth (test/servers/token-issuer.ts). Always stop() it (afterAll).
 */
export interface TestRegistry {
  /** `127.0.0.1:PORT`, the domain of docker references. */
  host: string;
  /** `http://127.0.0.1:PORT`. */
  url: string;
  username?: string;
  password?: string;
  /** The token issuer for `auth: 'token'`. */
  tokenIssuer?: TokenIssuer;
  /** Registry storage root (tests may look but should not write). */
  storageDir: string;
  /** With `tls`: a containers-certs.d directory holding the registry's CA as ca.crt. */
  certDir?: string;
  stop(): Promise<void>;
}

export interface StartRegistryOptions {
  auth?: 'none' | 'htpasswd' | 'token';
  /** Serve https with a self-signed certificate for 127.0.0.1 (its CA in `certDir`). */
  tls?: boolean;
  /** With `tls`: require a client certificate (a pair is put in `certDir` as client.cert/.key). */
  tlsClientAuth?: boolean;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function startRegistry(
  options: StartRegistryOptions = {},
): Promise<TestRegistry> {
  // The free port may be taken by a parallel test between probe and bind.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startRegistryOnce(options);
    } catch (err) {
      if (attempt >= 3 || !/address already in use/.test(String(err))) {
        throw err;
      }
    }
  }
}

async function startRegistryOnce(
  options: StartRegistryOptions,
): Promise<TestRegistry> {
  const auth = options.auth ?? 'none';
  const dir = await mkdtemp(join(tmpdir(), 'imgsign-registry-'));
  const storageDir = join(dir, 'storage');
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const username = 'imgsign-user';
  const password = 'imgsign-pass-1';
  let tokenIssuer: TokenIssuer | undefined;
  let authYaml = '';
  if (auth === 'htpasswd') {
    const line = execFileSync('htpasswd', ['-Bbn', username, password], {
      encoding: 'utf8',
    });
    await writeFile(join(dir, 'htpasswd'), line);
    authYaml = `auth:\n  htpasswd:\n    realm: imgsign-test\n    path: ${join(dir, 'htpasswd')}\n`;
  } else if (auth === 'token') {
    tokenIssuer = await startTokenIssuer({ dir, username, password });
    authYaml =
      `auth:\n  token:\n    realm: ${tokenIssuer.realm}\n    service: ${tokenIssuer.service}\n` +
      `    issuer: ${tokenIssuer.issuer}\n    rootcertbundle: ${tokenIssuer.certPath}\n`;
  }
  let certDir: string | undefined;
  let tlsYaml = '';
  if (options.tls) {
    certDir = join(dir, 'certs.d');
    await mkdir(certDir);
    const certPath = join(certDir, 'ca.crt');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'tls.key'),
        '-out',
        certPath,
        '-days',
        '2',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    tlsYaml = `  tls:\n    certificate: ${certPath}\n    key: ${join(dir, 'tls.key')}\n`;
    if (options.tlsClientAuth) {
      const ec = [
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
      ];
      const clientCA = join(dir, 'client-ca.crt');
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          ...ec,
          '-keyout',
          join(dir, 'client-ca.key'),
          '-out',
          clientCA,
          '-days',
          '2',
          '-subj',
          '/CN=imgsign-test-client-ca',
        ],
        { stdio: 'ignore' },
      );
      execFileSync(
        'openssl',
        [
          'req',
          '-new',
          ...ec,
          '-keyout',
          join(certDir, 'client.key'),
          '-out',
          join(dir, 'client.csr'),
          '-subj',
          '/CN=imgsign-test-client',
        ],
        { stdio: 'ignore' },
      );
      execFileSync(
        'openssl',
        [
          'x509',
          '-req',
          '-in',
          join(dir, 'client.csr'),
          '-CA',
          clientCA,
          '-CAkey',
          join(dir, 'client-ca.key'),
          '-CAcreateserial',
          '-out',
          join(certDir, 'client.cert'),
          '-days',
          '2',
        ],
        { stdio: 'ignore' },
      );
      tlsYaml += `    clientcas:\n      - ${clientCA}\n`;
    }
  }
  const config =
    `version: 0.1\nlog:\n  level: info\n  formatter: text\n  accesslog:\n    disabled: true\n` +
    `storage:\n  filesystem:\n    rootdirectory: ${storageDir}\n  delete:\n    enabled: true\n` +
    `  maintenance:\n    uploadpurging:\n      enabled: false\n` +
    `http:\n  addr: ${host}\n  secret: imgsign-test-secret\n` +
    tlsYaml +
    authYaml;
  const configPath = join(dir, 'config.yml');
  await writeFile(configPath, config);

  const child = spawn('docker-registry', ['serve', configPath], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const cleanup = async (): Promise<void> => {
    await stopChild(child);
    await tokenIssuer?.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitForListening(child, host);
    // Confirm it answers the API root before handing it out.
    const probe = new Agent({
      connect: {
        rejectUnauthorized: false,
        ...(options.tlsClientAuth && certDir
          ? {
              cert: await readFile(join(certDir, 'client.cert')),
              key: await readFile(join(certDir, 'client.key')),
            }
          : {}),
      },
    });
    const res = await request(
      `${options.tls ? 'https' : 'http'}://${host}/v2/`,
      {
        dispatcher: probe,
      },
    );
    await res.body.dump();
    await probe.close();
    if (res.statusCode !== 200 && res.statusCode !== 401) {
      throw new Error(
        `registry at ${host} answered /v2/ with ${res.statusCode}`,
      );
    }
  } catch (err) {
    await cleanup();
    throw err;
  }
  return {
    host,
    url: `${options.tls ? 'https' : 'http'}://${host}`,
    ...(certDir ? { certDir } : {}),
    ...(auth !== 'none' ? { username, password } : {}),
    ...(tokenIssuer ? { tokenIssuer } : {}),
    storageDir,
    stop: cleanup,
  };
}

/** Resolve once the registry logs that it listens; reject if it exits first. */
function waitForListening(child: ChildProcess, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = '';
    const onData = (d: Buffer): void => {
      log += d.toString('utf8');
      if (log.includes(`listening on ${host}`)) {
        child.stderr?.off('data', onData);
        child.stderr?.resume();
        resolve();
      }
      if (log.length > 1_000_000) log = log.slice(-10_000);
    };
    child.stderr?.on('data', onData);
    child.stdout?.resume();
    child.once('exit', (code) =>
      reject(
        new Error(
          `docker-registry exited (${code}) before listening: ${log.slice(-2000)}`,
        ),
      ),
    );
    child.once('error', reject);
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** A tiny single-layer image (gzip tar layer, config, v2s2 manifest), built in memory. */
export interface SmallImage {
  manifest: Buffer;
  manifestDigest: string;
  config: { digest: string; bytes: Buffer };
  layers: { digest: string; bytes: Buffer }[];
}

export async function makeSmallImage(
  content = 'hello from imgsign\n',
): Promise<SmallImage> {
  const { pack } = await import('tar-stream');
  const { gzipSync } = await import('node:zlib');
  const { createHash } = await import('node:crypto');
  const sha = (b: Buffer): string =>
    `sha256:${createHash('sha256').update(b).digest('hex')}`;
  const p = pack();
  p.entry({ name: 'hello.txt', mtime: new Date(0), mode: 0o644 }, content);
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p as AsyncIterable<Buffer>) chunks.push(c);
  const tar = Buffer.concat(chunks);
  const layer = gzipSync(tar);
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: {},
      rootfs: { type: 'layers', diff_ids: [sha(tar)] },
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify(
      {
        schemaVersion: 2,
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        config: {
          mediaType: 'application/vnd.docker.container.image.v1+json',
          size: config.length,
          digest: sha(config),
        },
        layers: [
          {
            mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
            size: layer.length,
            digest: sha(layer),
          },
        ],
      },
      null,
      3,
    ),
  );
  return {
    manifest,
    manifestDigest: sha(manifest),
    config: { digest: sha(config), bytes: config },
    layers: [{ digest: sha(layer), bytes: layer }],
  };
}

/** Write `image` as a skopeo `dir:` layout. */
export async function writeDirImage(
  dir: string,
  image: SmallImage,
): Promise<void> {
  const { mkdir } = await import('node:fs/promises');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'manifest.json'), image.manifest);
  await writeFile(join(dir, 'version'), 'Directory Transport Version: 1.1\n');
  for (const blob of [image.config, ...image.layers]) {
    await writeFile(join(dir, blob.digest.slice('sha256:'.length)), blob.bytes);
  }
}

/**
 * A node:http reverse proxy in front of a registry, for fault injection.
 * `intercept` may answer a request itself (return true); `tamper` may
 * rewrite an upstream answer (status, headers, body) before it is sent.
 * The Host header is passed through, so upload Locations name the proxy.
 */
export interface RegistryProxy {
  host: string;
  url: string;
  /** Every request seen, in order. */
  log: { method: string; path: string }[];
  stop(): Promise<void>;
}

export interface ProxyTamper {
  status?: number;
  headers?: Record<string, string>;
  /** Replace the body completely. */
  body?: Buffer;
  /** Send this many body bytes, then destroy the socket. */
  cutAfter?: number;
}

export async function startRegistryProxy(options: {
  target: string;
  intercept?: (
    req: import('node:http').IncomingMessage,
    res: import('node:http').ServerResponse,
  ) => boolean;
  tamper?: (
    method: string,
    path: string,
    upstreamBody: Buffer,
  ) => ProxyTamper | undefined;
}): Promise<RegistryProxy> {
  const http = await import('node:http');
  const target = new URL(options.target);
  const log: RegistryProxy['log'] = [];
  const server = http.createServer((req, res) => {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    log.push({ method, path });
    if (options.intercept?.(req, res)) return;
    const upstream = http.request(
      {
        host: target.hostname,
        port: target.port,
        method,
        path,
        headers: req.headers,
      },
      (up) => {
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.push(c));
        up.on('end', () => {
          const body = Buffer.concat(chunks);
          const t = options.tamper?.(method, path.split('?')[0] ?? path, body);
          const headers = { ...up.headers, ...(t?.headers ?? {}) };
          const out = t?.body ?? body;
          if (t?.body) headers['content-length'] = String(out.length);
          res.writeHead(t?.status ?? up.statusCode ?? 502, headers);
          if (t?.cutAfter !== undefined) {
            res.write(out.subarray(0, t.cutAfter), () => res.socket?.destroy());
            return;
          }
          res.end(method === 'HEAD' ? undefined : out);
        });
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  const { host, url, stop } = await listenOnLoopback(server);
  return {
    host,
    url,
    log,
    stop,
  };
}
