#!/usr/bin/env node
// `npm run bench`: imgsign beside the reference tools, measured in the same
// run on the same inputs, reported as ratios. Not a test: nothing here fails
// on a slow machine. Needs `npm run build`, gpg and skopeo.
// Usage: node scripts/bench.js [--runs N] [--only startup,sign,copy-sign,copy,verify,trust]
// (BENCH_SMALL=MiB shrinks the 256 MiB single-layer copy case for a quick try.)
import { execFileSync, spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1] || 15) || 15;
const only = args.includes('--only')
  ? new Set(args[args.indexOf('--only') + 1].split(','))
  : undefined;
const work = mkdtempSync(join(tmpdir(), 'imgsign-bench-'));
const gnupgHome = join(work, 'gnupg');
const env = {
  ...process.env,
  GNUPGHOME: gnupgHome,
  IMGSIGN_HOME: join(work, 'imgsign'),
};
const imgsign = [process.execPath, join(root, 'bin/run.js')];
const rows = [];

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Wall time of one run of a command, in seconds. */
function once(cmd, argv, options = {}) {
  const start = performance.now();
  const r = spawnSync(cmd, argv, { env, stdio: 'pipe', ...options });
  const elapsed = (performance.now() - start) / 1000;
  if (r.status !== 0) {
    throw new Error(
      `${cmd} ${argv.join(' ')} failed: ${r.stderr?.toString().trim()}`,
    );
  }
  return elapsed;
}

/** Median wall time of a command over `runs` runs, in seconds. */
function time(cmd, argv, options = {}) {
  return median(Array.from({ length: runs }, () => once(cmd, argv, options)));
}

/**
 * Like time(), each run paired with a `node -e 0` just before it: also the
 * median of the differences, what the "node start + N ms" targets mean.
 * This VM's speed drifts within minutes, which moves two medians taken
 * apart much more than it moves a difference taken within each pair.
 */
function timeOverNode(cmd, argv) {
  const ours = [];
  const over = [];
  for (let i = 0; i < runs; i++) {
    const node = once(process.execPath, ['-e', '0']);
    const t = once(cmd, argv);
    ours.push(t);
    over.push(t - node);
  }
  return { median: median(ours), overNode: median(over) };
}

function overNodeNote(measured, targetMs) {
  return `imgsign − node start ${(measured.overNode * 1000).toFixed(0)} ms in paired runs (target ≤ ${targetMs} ms)`;
}

function report(name, ours, theirs, theirName, note = '') {
  rows.push({ name, ours, theirs, theirName, note });
  const ratio = theirs ? (ours / theirs).toFixed(2) : '';
  console.log(
    `${name.padEnd(44)} imgsign ${(ours * 1000).toFixed(1).padStart(8)} ms` +
      (theirs
        ? `   ${theirName} ${(theirs * 1000).toFixed(1).padStart(8)} ms   ratio ${ratio}`
        : '') +
      (note ? `   ${note}` : ''),
  );
}

function wants(section) {
  return !only || only.has(section);
}

function setUpKeys() {
  mkdirSync(gnupgHome, { mode: 0o700 });
  execFileSync(
    'gpg',
    [
      '--batch',
      '--pinentry-mode',
      'loopback',
      '--quick-gen-key',
      '--passphrase',
      '',
      'bench@example.com',
      'rsa3072',
      'sign',
      'never',
    ],
    { env, stdio: 'pipe' },
  );
  const fpr = execFileSync(
    'gpg',
    ['--batch', '--with-colons', '--list-secret-keys', 'bench@example.com'],
    { env },
  )
    .toString()
    .split('\n')
    .find((l) => l.startsWith('fpr:'))
    .split(':')[9];
  const secret = join(work, 'bench.sec.asc');
  writeFileSync(
    secret,
    execFileSync('gpg', ['--batch', '--armor', '--export-secret-keys', fpr], {
      env,
    }),
  );
  const pub = join(work, 'bench.pub.gpg');
  writeFileSync(
    pub,
    execFileSync('gpg', ['--batch', '--export', fpr], { env }),
  );
  execFileSync(imgsign[0], [imgsign[1], 'key', 'import', secret], {
    env,
    stdio: 'pipe',
  });
  return { fpr, secret, pub };
}

async function benchSigning() {
  const { fpr, pub } = setUpKeys();
  const manifest = join(work, 'manifest.json');
  execFileSync(process.execPath, [
    join(root, 'scripts/make-demo-image.js'),
    join(work, 'img'),
    '1024',
  ]);
  writeFileSync(manifest, readFileSync(join(work, 'img/manifest.json')));
  const ref = 'registry.example.com/bench/app:1';
  const skopeoSig = join(work, 'skopeo.sig');
  const oursSig = join(work, 'imgsign.sig');
  const skSign = time('skopeo', [
    'standalone-sign',
    '-o',
    skopeoSig,
    manifest,
    ref,
    fpr,
  ]);
  const ourSign = timeOverNode(imgsign[0], [
    imgsign[1],
    'standalone-sign',
    '-o',
    oursSig,
    manifest,
    ref,
    fpr,
  ]);
  report(
    'standalone-sign (per call)',
    ourSign.median,
    skSign,
    'skopeo',
    overNodeNote(ourSign, 40),
  );
  const skVerify = time('skopeo', [
    'standalone-verify',
    manifest,
    ref,
    fpr,
    skopeoSig,
  ]);
  const ourVerify = timeOverNode(imgsign[0], [
    imgsign[1],
    'standalone-verify',
    '--public-key-file',
    pub,
    manifest,
    ref,
    fpr,
    skopeoSig,
  ]);
  report(
    'standalone-verify (per call)',
    ourVerify.median,
    skVerify,
    'skopeo',
    overNodeNote(ourVerify, 40),
  );

  // Many signatures in one process: the per-signature cost that verify and
  // signatures list pay, against skopeo's per-call cost.
  const { newPGPVerifier } = await import(
    join(root, 'dist/signature/pgp/verifier.js')
  );
  const { verifyDockerManifestSignature } = await import(
    join(root, 'dist/signature/simple.js')
  );
  const verifier = await newPGPVerifier([readFileSync(pub)]);
  const blob = readFileSync(skopeoSig);
  const manifestBytes = readFileSync(manifest);
  const n = 200;
  await verifyDockerManifestSignature(blob, manifestBytes, ref, verifier, [
    fpr,
  ]);
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    await verifyDockerManifestSignature(blob, manifestBytes, ref, verifier, [
      fpr,
    ]);
  }
  const perSig = (performance.now() - start) / 1000 / n;
  report(
    `verify ${n} signatures in one process (per sig)`,
    perSig,
    skVerify,
    'skopeo per call',
  );
}

/**
 * copy-sign: what `copy --sign-by` adds to a plain copy of the same small
 * image (dir: → docker:// on a loopback docker-registry, file lookaside
 * from a temp registries.d), beside what `skopeo copy --sign-by` adds to
 * skopeo's plain copy. Starts its own registry (the docker-registry binary).
 */
async function benchCopySign() {
  const fs = await import('node:fs');
  const net = await import('node:net');
  const { spawn } = await import('node:child_process');
  const base = join(work, 'copy-sign');
  fs.mkdirSync(join(base, 'gnupg'), { recursive: true, mode: 0o700 });
  const cenv = {
    ...process.env,
    GNUPGHOME: join(base, 'gnupg'),
    IMGSIGN_HOME: join(base, 'imgsign'),
  };
  const gpg = (argv) =>
    execFileSync('gpg', ['--batch', '--pinentry-mode', 'loopback', ...argv], {
      env: cenv,
      stdio: 'pipe',
    });
  // Primary key signs: Debian's skopeo 1.9 rejects subkey signatures.
  gpg([
    '--passphrase',
    '',
    '--quick-gen-key',
    'copy-sign@example.com',
    'ed25519',
    'sign',
    'never',
  ]);
  const fpr = /^fpr:+([0-9A-F]{40}):/m.exec(
    gpg([
      '--with-colons',
      '--list-secret-keys',
      'copy-sign@example.com',
    ]).toString(),
  )[1];
  const keyFile = join(base, 'key.asc');
  writeFileSync(keyFile, gpg(['--armor', '--export-secret-keys', fpr]));

  const port = await new Promise((ok, fail) => {
    const srv = net.createServer();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const p = srv.address().port;
      srv.close(() => ok(p));
    });
  });
  const host = `127.0.0.1:${port}`;
  const config = join(base, 'registry.yml');
  writeFileSync(
    config,
    `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n` +
      `storage:\n  filesystem:\n    rootdirectory: ${join(base, 'storage')}\n` +
      `http:\n  addr: ${host}\n  secret: imgsign-bench\n`,
  );
  const registry = spawn('docker-registry', ['serve', config], {
    stdio: 'ignore',
  });
  try {
    let up = false;
    for (let i = 0; i < 100 && !up; i++) {
      up = await fetch(`http://${host}/v2/`)
        .then((r) => r.status === 200)
        .catch(() => false);
      if (!up) await new Promise((r) => setTimeout(r, 100));
    }
    if (!up) throw new Error(`docker-registry did not start on ${host}`);
    const registriesD = join(base, 'registries.d');
    fs.mkdirSync(registriesD);
    writeFileSync(
      join(registriesD, 'bench.yaml'),
      `docker:\n  ${host}:\n    lookaside: file://${join(base, 'lookaside')}\n`,
    );
    const image = join(base, 'img');
    execFileSync(process.execPath, [
      join(root, 'scripts/make-demo-image.js'),
      image,
      '1024',
    ]);
    const o = { env: cenv };
    const ours = (repo, extra) =>
      time(
        imgsign[0],
        [
          imgsign[1],
          'copy',
          '--insecure-policy',
          '--registries.d',
          registriesD,
          '--dest-tls-verify=false',
          '--quiet',
          ...extra,
          `dir:${image}`,
          `docker://${host}/bench/${repo}:1`,
        ],
        o,
      );
    const theirs = (repo, extra) =>
      time(
        'skopeo',
        [
          '--insecure-policy',
          '--registries.d',
          registriesD,
          'copy',
          '--dest-tls-verify=false',
          '--quiet',
          ...extra,
          `dir:${image}`,
          `docker://${host}/bench/${repo}:1`,
        ],
        o,
      );
    const plainOurs = ours('plain', []);
    const plainTheirs = theirs('plain-skopeo', []);
    report('copy dir: → docker:// (plain)', plainOurs, plainTheirs, 'skopeo');
    const gpgOurs = ours('gpg', ['--sign-by', fpr]);
    const signedTheirs = theirs('gpg-skopeo', ['--sign-by', fpr]);
    const skopeoOverhead = signedTheirs - plainTheirs;
    report(
      'copy --sign-by overhead (GnuPG key)',
      gpgOurs - plainOurs,
      skopeoOverhead,
      'skopeo',
      'target < 100 ms and ≤ 1',
    );
    const fileOurs = ours('keyfile', ['--sign-by-key-file', keyFile]);
    report(
      'copy --sign-by-key-file overhead (key file)',
      fileOurs - plainOurs,
      skopeoOverhead,
      'skopeo --sign-by',
      'target < 100 ms and ≤ 1',
    );
  } finally {
    registry.kill();
    spawnSync('gpgconf', ['--kill', 'gpg-agent'], { env: cenv });
  }
}

try {
  console.log(
    `imgsign benchmarks: median of ${runs} runs, ratio = imgsign / reference (lower is better)\n`,
  );
  const nodeStart = time(process.execPath, ['-e', '0']);
  report('bare node start (`node -e 0`)', nodeStart, undefined, '');
  if (wants('startup')) {
    const version = time(imgsign[0], [imgsign[1], '--version']);
    report(
      'imgsign --version',
      version,
      nodeStart,
      'node -e 0',
      'target ≤ 1.5',
    );
  }
  if (wants('sign')) await benchSigning();
  if (wants('copy-sign')) await benchCopySign();
  const section = { work, env, imgsign, report, runs };
  if (wants('copy')) {
    await (await import('./bench/copy.js')).benchCopy(section);
  }
  if (wants('verify')) {
    await (await import('./bench/verify.js')).benchVerify(section);
  }
  if (wants('trust')) {
    await (await import('./bench/trust.js')).benchTrust(section);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
