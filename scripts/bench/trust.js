// Docker Content Trust benchmarks: imgsign's `trust inspect` and
// `trust sign` beside `docker trust` and the `notary` CLI, all against the
// same repository on one loopback notary-server (and a docker-registry
// holding the images, which `imgsign trust sign` reads). The repository
// has 20 tags and two signers (alice, bob), made with docker and notary.
// docker never reaches a daemon: DOCKER_HOST points at a missing socket,
// which is why it can only re-sign tags that are already targets.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startNotaryPeers } from './notary-peers.js';
import { startBenchRegistry } from './registry.js';

const TAGS = 20;
const PASSPHRASE = 'imgsign-bench-pass';
const REPO = 'bench/trust';

const sha256 = (b) => createHash('sha256').update(b).digest('hex');

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function run(env, cmd, argv) {
  const r = spawnSync(cmd, argv, { env, stdio: 'pipe' });
  if (r.status !== 0) {
    const why = r.error || `${r.stderr}`.trim() || `${r.stdout}`.trim();
    throw new Error(`${cmd} ${argv.join(' ')} failed: ${why}`);
  }
  return r.stdout.toString();
}

/**
 * Median seconds of `runs` calls; `prepare()` (untimed) returns the
 * [env, cmd, argv] to run, or a list of them run one after the other.
 */
function timed(runs, prepare) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const prepared = prepare();
    const steps = Array.isArray(prepared[0]) ? prepared : [prepared];
    const start = performance.now();
    for (const step of steps) run(...step);
    samples.push((performance.now() - start) / 1000);
  }
  return median(samples);
}

async function push(url, path, body, type) {
  const res = await fetch(`${url}/v2/${REPO}/${path}`, {
    method: 'PUT',
    body,
    headers: { 'content-type': type },
  });
  if (!res.ok) throw new Error(`PUT ${path}: HTTP ${res.status}`);
  await res.arrayBuffer();
}

async function pushBlob(url, bytes) {
  const post = await fetch(`${url}/v2/${REPO}/blobs/uploads/`, {
    method: 'POST',
  });
  await post.arrayBuffer();
  const location = new URL(post.headers.get('location'), url);
  const digest = `sha256:${sha256(bytes)}`;
  location.searchParams.set('digest', digest);
  const res = await fetch(location, { method: 'PUT', body: bytes });
  if (!res.ok) throw new Error(`uploading ${digest}: HTTP ${res.status}`);
  await res.arrayBuffer();
  return { digest, size: bytes.length };
}

/** TAGS small images, each its own config; returns [{ tag, hex, size }]. */
async function pushImages(url) {
  const layer = await pushBlob(url, Buffer.from('trust bench layer\n'));
  const out = [];
  for (let i = 1; i <= TAGS; i++) {
    const tag = `v${i}`;
    const config = await pushBlob(
      url,
      Buffer.from(
        JSON.stringify({
          architecture: 'amd64',
          os: 'linux',
          config: { Labels: { tag } },
          rootfs: { type: 'layers', diff_ids: [layer.digest] },
        }),
      ),
    );
    const type = 'application/vnd.docker.distribution.manifest.v2+json';
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: type,
        config: {
          mediaType: 'application/vnd.docker.container.image.v1+json',
          ...config,
        },
        layers: [
          {
            mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
            ...layer,
          },
        ],
      }),
    );
    await push(url, `manifests/${tag}`, manifest, type);
    out.push({ tag, hex: sha256(manifest), size: manifest.length });
  }
  return out;
}

/**
 * trust: warm `trust inspect` vs `docker trust inspect` and `notary list`;
 * re-signing an existing tag vs `docker trust sign` and notary
 * addhash+publish; cold (trust on first use) inspect vs docker's.
 */
export async function benchTrust({ work, imgsign, report, runs }) {
  const setupStart = performance.now();
  const base = join(work, 'trust');
  mkdirSync(join(base, 'home'), { recursive: true });
  let peers;
  let registry;
  try {
    peers = await startNotaryPeers();
    registry = await startBenchRegistry();
    const gun = `${registry.host}/${REPO}`;
    let configs = 0;
    /** A fresh DOCKER_CONFIG trusting the server's CA (empty trust cache). */
    const dockerConfig = () => {
      const dir = join(base, `docker-config-${configs++}`);
      mkdirSync(join(dir, 'tls', peers.serverHost), { recursive: true });
      copyFileSync(peers.caFile, join(dir, 'tls', peers.serverHost, 'ca.crt'));
      return dir;
    };
    const envFor = (config) => ({
      PATH: process.env.PATH,
      HOME: join(base, 'home'),
      DOCKER_CONFIG: config,
      DOCKER_CONTENT_TRUST_SERVER: peers.serverUrl,
      DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE: PASSPHRASE,
      DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE: PASSPHRASE,
      DOCKER_HOST: `unix://${join(base, 'no-docker-daemon.sock')}`,
      DOCKER_CLI_HINTS: 'false',
      NOTARY_ROOT_PASSPHRASE: PASSPHRASE,
      NOTARY_TARGETS_PASSPHRASE: PASSPHRASE,
      NOTARY_SNAPSHOT_PASSPHRASE: PASSPHRASE,
      NOTARY_DELEGATION_PASSPHRASE: PASSPHRASE,
      // docker names its generated signer keys' role after the signer.
      NOTARY_ALICE_PASSPHRASE: PASSPHRASE,
      NOTARY_BOB_PASSPHRASE: PASSPHRASE,
    });
    const notaryArgs = (config, argv) => [
      '-s',
      peers.serverUrl,
      '--tlscacert',
      peers.caFile,
      '-d',
      join(config, 'trust'),
      ...argv,
    ];
    const ours = (env, argv) => [env, imgsign[0], [imgsign[1], ...argv]];

    // The signing client: keys and a warm cache in one DOCKER_CONFIG,
    // shared by all three tools.
    const main = dockerConfig();
    const env = envFor(main);
    const images = await pushImages(registry.url);
    const keys = join(base, 'keys');
    mkdirSync(keys);
    for (const signer of ['alice', 'bob']) {
      run(env, 'docker', ['trust', 'key', 'generate', signer, '--dir', keys]);
      run(env, 'docker', [
        'trust',
        'signer',
        'add',
        '--key',
        join(keys, `${signer}.pub`),
        signer,
        gun,
      ]);
    }
    for (const [i, { tag, hex, size }] of images.entries()) {
      const roles = ['targets/releases', 'targets/alice'];
      if (i % 2 === 0) roles.push('targets/bob');
      run(
        env,
        'notary',
        notaryArgs(main, [
          'addhash',
          gun,
          tag,
          String(size),
          '--sha256',
          hex,
          ...roles.flatMap((r) => ['-r', r]),
        ]),
      );
    }
    run(env, 'notary', notaryArgs(main, ['publish', gun]));
    const inspected = JSON.parse(
      run(...ours(env, ['trust', 'inspect', gun])),
    )[0];
    if (
      inspected.SignedTags.length !== TAGS ||
      inspected.Signers.length !== 2
    ) {
      throw new Error(`unexpected trust data: ${JSON.stringify(inspected)}`);
    }
    // Warm every cache once before timing.
    run(env, 'docker', ['trust', 'inspect', gun]);
    run(env, 'notary', notaryArgs(main, ['list', gun]));
    const setup = `setup ${((performance.now() - setupStart) / 1000).toFixed(1)} s`;

    // 1. Warm inspect.
    const inspectOurs = timed(runs, () => ours(env, ['trust', 'inspect', gun]));
    const inspectDocker = timed(runs, () => [
      env,
      'docker',
      ['trust', 'inspect', gun],
    ]);
    const listNotary = timed(runs, () => [
      env,
      'notary',
      notaryArgs(main, ['list', gun]),
    ]);
    const what = `(${TAGS} tags, 2 signers, warm cache)`;
    report(
      `trust inspect ${what}`,
      inspectOurs,
      inspectDocker,
      'docker trust inspect',
      setup,
    );
    report(`trust inspect ${what}`, inspectOurs, listNotary, 'notary list');

    // 2. Re-sign an existing tag (docker can, without a daemon).
    const tag = images[0];
    const signOurs = timed(runs, () =>
      ours(env, ['trust', 'sign', `${gun}:${tag.tag}`]),
    );
    const signDocker = timed(runs, () => [
      env,
      'docker',
      ['trust', 'sign', `${gun}:${tag.tag}`],
    ]);
    const addhash = notaryArgs(main, [
      'addhash',
      gun,
      tag.tag,
      String(tag.size),
      '--sha256',
      tag.hex,
      '-r',
      'targets/releases',
      '-r',
      'targets/alice',
      '-r',
      'targets/bob',
    ]);
    const publish = notaryArgs(main, ['publish', gun]);
    const signNotary = timed(runs, () => [
      [env, 'notary', addhash],
      [env, 'notary', publish],
    ]);
    report(
      're-sign an existing tag (2 signers)',
      signOurs,
      signDocker,
      'docker trust sign',
      'imgsign also reads the manifest from the registry',
    );
    report(
      're-sign an existing tag (2 signers)',
      signOurs,
      signNotary,
      'notary addhash+publish',
    );

    // 3. Cold inspect: a fresh DOCKER_CONFIG each call (trust on first use).
    const coldOurs = timed(runs, () =>
      ours(envFor(dockerConfig()), ['trust', 'inspect', gun]),
    );
    const coldDocker = timed(runs, () => [
      envFor(dockerConfig()),
      'docker',
      ['trust', 'inspect', gun],
    ]);
    report(
      'trust inspect, cold (empty cache, TOFU)',
      coldOurs,
      coldDocker,
      'docker trust inspect',
    );
  } finally {
    await registry?.stop();
    await peers?.stop();
  }
}
