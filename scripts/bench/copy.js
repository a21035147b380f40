// Copy benchmarks (issue 3): imgsign copy beside skopeo copy and beside the
// raw limit (curl -T streaming the same bytes to the same registry), each
// against a fresh registry, with wall time and peak RSS.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { makeBenchImage } from './images.js';
import { startBenchRegistry } from './registry.js';

const MiB = 1024 * 1024;

/** Run a command under GNU time; returns {seconds, rssMB}. */
function measure(argv, env) {
  const start = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', ...argv], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const seconds = (performance.now() - start) / 1000;
  const stderr = r.stderr.toString();
  if (r.status !== 0)
    throw new Error(`${argv.join(' ')} failed: ${stderr.trim()}`);
  const kb = Number(stderr.trim().split('\n').pop());
  return { seconds, rssMB: kb / 1024 };
}

function curlUpload(registry, repo, blob, path) {
  const start = performance.now();
  const post = spawnSync('curl', [
    '-sS',
    '-D',
    '-',
    '-o',
    '/dev/null',
    '-X',
    'POST',
    `${registry.url}/v2/${repo}/blobs/uploads/`,
  ]);
  const location = /^location:\s*(\S+)/im.exec(post.stdout.toString())?.[1];
  if (!location) throw new Error('registry gave no upload location');
  const url = new URL(location, registry.url);
  url.searchParams.set('digest', blob.digest);
  const put = spawnSync('curl', [
    '-sS',
    '-f',
    '-o',
    '/dev/null',
    '-T',
    path,
    '-H',
    'Content-Type: application/octet-stream',
    url.toString(),
  ]);
  if (put.status !== 0) throw new Error(`curl -T failed: ${put.stderr}`);
  return (performance.now() - start) / 1000;
}

/** Median over runs of fn(freshRegistry). */
async function onFreshRegistry(runs, fn) {
  const results = [];
  for (let i = 0; i < runs; i++) {
    const registry = await startBenchRegistry();
    try {
      results.push(await fn(registry));
    } finally {
      await registry.stop();
    }
  }
  results.sort((a, b) => (a.seconds ?? a) - (b.seconds ?? b));
  return results[Math.floor(results.length / 2)];
}

export async function benchCopy({ work, env, imgsign, report, runs }) {
  // skopeo remembers blob locations between runs; start each run without it.
  const skopeoEnv = { ...env, XDG_DATA_HOME: join(work, 'skopeo-data') };
  const resetSkopeoCache = () => {
    rmSync(join(work, 'skopeo-data'), { recursive: true, force: true });
    rmSync('/var/lib/containers/cache/blob-info-cache-v1.boltdb', {
      force: true,
    });
  };
  const cases = [
    {
      name: '256 MiB, 1 layer',
      count: 1,
      size: Number(process.env.BENCH_SMALL ?? 256) * MiB,
    },
    { name: '4 x 256 MiB', count: 4, size: 256 * MiB },
    { name: '200 layers of 4 KiB', count: 200, size: 4 * 1024 },
  ];
  /** `copy` arguments: plain http for every registry side. */
  const copyArgs = (src, dest) => [
    'copy',
    '--quiet',
    ...(src.startsWith('docker://') ? ['--src-tls-verify=false'] : []),
    '--dest-tls-verify=false',
    src,
    dest,
  ];
  /** Measured `imgsign copy src dest`. */
  const imgsignCopy = (src, dest) =>
    measure([...imgsign, ...copyArgs(src, dest)], env);
  /** Measured `skopeo copy src dest` (call resetSkopeoCache() first for a cold run). */
  const skopeoCopy = (src, dest) =>
    measure(['skopeo', ...copyArgs(src, dest)], skopeoEnv);
  const n = Math.max(1, Math.min(runs, 3));
  for (const c of cases) {
    const image = makeBenchImage(
      join(work, `img-${c.count}-${c.size}`),
      c.count,
      c.size,
    );
    const src = `dir:${image.dir}`;
    const curl = await onFreshRegistry(n, async (registry) => {
      let total = 0;
      for (const l of image.layers)
        total += curlUpload(
          registry,
          'raw/x',
          l,
          join(image.dir, l.digest.slice(7)),
        );
      return total;
    });
    const skopeo = await onFreshRegistry(n, async (registry) => {
      resetSkopeoCache();
      return skopeoCopy(src, `docker://${registry.host}/skopeo/x:1`);
    });
    const ours = await onFreshRegistry(n, async (registry) =>
      imgsignCopy(src, `docker://${registry.host}/imgsign/x:1`),
    );
    report(
      `copy dir: -> docker:// ${c.name}`,
      ours.seconds,
      skopeo.seconds,
      'skopeo',
      `raw curl -T ${curl.toFixed(2)} s (imgsign/raw ${(ours.seconds / curl).toFixed(2)}); peak RSS imgsign ${ours.rssMB.toFixed(0)} MB, skopeo ${skopeo.rssMB.toFixed(0)} MB`,
    );

    // Registry to registry: same registry other repository (mount), and a second registry.
    const same = await onFreshRegistry(n, async (registry) => {
      const at = (repo) => `docker://${registry.host}/${repo}/x:1`;
      imgsignCopy(src, at('seed'));
      resetSkopeoCache();
      skopeoCopy(src, at('seed2'));
      const a = imgsignCopy(at('seed'), at('other'));
      const b = skopeoCopy(at('seed2'), at('other2'));
      return { seconds: a.seconds, ours: a, theirs: b };
    });
    report(
      `copy docker:// -> same registry ${c.name}`,
      same.ours.seconds,
      same.theirs.seconds,
      'skopeo',
      `peak RSS imgsign ${same.ours.rssMB.toFixed(0)} MB`,
    );

    const second = await onFreshRegistry(n, async (a) => {
      const b = await startBenchRegistry();
      try {
        const seed = `docker://${a.host}/seed/x:1`;
        imgsignCopy(src, seed);
        const ours2 = imgsignCopy(seed, `docker://${b.host}/imgsign/x:1`);
        resetSkopeoCache();
        const theirs2 = skopeoCopy(seed, `docker://${b.host}/skopeo/x:1`);
        return { seconds: ours2.seconds, ours: ours2, theirs: theirs2 };
      } finally {
        await b.stop();
      }
    });
    report(
      `copy docker:// -> second registry ${c.name}`,
      second.ours.seconds,
      second.theirs.seconds,
      'skopeo',
      `peak RSS imgsign ${second.ours.rssMB.toFixed(0)} MB, skopeo ${second.theirs.rssMB.toFixed(0)} MB`,
    );
    rmSync(image.dir, { recursive: true, force: true });
  }
}
