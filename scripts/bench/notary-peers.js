// Debian notary-signer and notary-server on loopback for the trust
// benchmarks: memory storage, a throwaway openssl CA in a temp dir. The
// signer must accept mutual TLS before the server starts (a server that
// dialled it too early answers 500), then the server's health check must
// answer 200. stop() ends both and removes the dir.
import { execFileSync, spawn } from 'node:child_process';
import {
  closeSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clearTimeout, setTimeout } from 'node:timers';
import { connect } from 'node:tls';
import { freePort } from './registry.js';

/** ca.crt and one leaf for 127.0.0.1 (server and client auth). */
function makeCertificates(dir) {
  // Every argument is free of spaces: written as one string each.
  const openssl = (args) =>
    execFileSync('openssl', args.split(' '), { cwd: dir, stdio: 'ignore' });
  const ec = '-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes';
  openssl(
    `req -x509 ${ec} -keyout ca.key -out ca.crt -days 1 -subj /CN=imgsign-bench-ca` +
      ' -addext basicConstraints=critical,CA:TRUE',
  );
  openssl(`req ${ec} -keyout leaf.key -out leaf.csr -subj /CN=localhost`);
  writeFileSync(
    join(dir, 'leaf.ext'),
    'subjectAltName=DNS:localhost,IP:127.0.0.1\n' +
      'extendedKeyUsage=serverAuth,clientAuth\n',
  );
  openssl(
    'x509 -req -in leaf.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 1' +
      ' -extfile leaf.ext -out leaf.crt',
  );
}

function launch(dir, binary, config, children) {
  const fd = openSync(join(dir, `${binary}.log`), 'a');
  try {
    const child = spawn(binary, ['-config', config, '-logf', 'logfmt'], {
      cwd: dir,
      stdio: ['ignore', fd, fd],
    });
    children.push(child);
    return child;
  } finally {
    closeSync(fd);
  }
}

async function until(what, child, dir, check) {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const log = readFileSync(join(dir, `${child.spawnfile}.log`), 'utf8');
      throw new Error(`${child.spawnfile} exited: ${log.slice(-1500)}`);
    }
    const ok = await check().then(
      () => true,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not come up`);
}

function tlsOptions(dir) {
  const read = (f) => readFileSync(join(dir, f));
  return { ca: read('ca.crt'), cert: read('leaf.crt'), key: read('leaf.key') };
}

function signerHandshake(dir, port) {
  return new Promise((resolve, reject) => {
    const s = connect({
      host: '127.0.0.1',
      port,
      ALPNProtocols: ['h2'],
      ...tlsOptions(dir),
    });
    s.once('secureConnect', () => {
      s.destroy();
      resolve();
    });
    s.once('error', reject);
  });
}

function healthy(dir, url) {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/_notary_server/health`, {
      ca: tlsOptions(dir).ca,
      agent: false,
    });
    req.once('response', (res) => {
      res.resume();
      if (res.statusCode === 200) resolve();
      else reject(new Error(`HTTP ${res.statusCode}`));
    });
    req.once('error', reject);
    req.end();
  });
}

/** Start signer then server; `{ serverUrl, serverHost, caFile, stop() }`. */
export async function startNotaryPeers() {
  // A probed free port may be taken before a server binds it: retry.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce();
    } catch (err) {
      if (attempt >= 3 || !/address already in use/.test(String(err))) {
        throw err;
      }
    }
  }
}

async function startOnce() {
  const dir = mkdtempSync(join(tmpdir(), 'imgsign-bench-notary-'));
  const children = [];
  const stop = async () => {
    await Promise.all(
      children.map((c) =>
        c.exitCode !== null || c.signalCode !== null
          ? undefined
          : new Promise((r) => {
              const kill = setTimeout(() => c.kill('SIGKILL'), 10_000);
              c.once('exit', () => {
                clearTimeout(kill);
                r();
              });
              c.kill('SIGTERM');
            }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    makeCertificates(dir);
    const signerPort = await freePort();
    const serverHost = `127.0.0.1:${await freePort()}`;
    const tls = { tls_cert_file: 'leaf.crt', tls_key_file: 'leaf.key' };
    const common = {
      logging: { level: 'error' },
      storage: { backend: 'memory' },
    };
    writeFileSync(
      join(dir, 'signer.json'),
      JSON.stringify({
        server: {
          grpc_addr: `127.0.0.1:${signerPort}`,
          ...tls,
          client_ca_file: 'ca.crt',
        },
        ...common,
      }),
    );
    writeFileSync(
      join(dir, 'server.json'),
      JSON.stringify({
        server: { http_addr: serverHost, ...tls },
        trust_service: {
          type: 'remote',
          hostname: '127.0.0.1',
          port: String(signerPort),
          key_algorithm: 'ecdsa',
          tls_ca_file: 'ca.crt',
          tls_client_cert: 'leaf.crt',
          tls_client_key: 'leaf.key',
        },
        ...common,
      }),
    );
    const signer = launch(dir, 'notary-signer', 'signer.json', children);
    await until('notary-signer', signer, dir, () =>
      signerHandshake(dir, signerPort),
    );
    const server = launch(dir, 'notary-server', 'server.json', children);
    const serverUrl = `https://${serverHost}`;
    await until('notary-server', server, dir, () => healthy(dir, serverUrl));
    return { serverUrl, serverHost, caFile: join(dir, 'ca.crt'), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
