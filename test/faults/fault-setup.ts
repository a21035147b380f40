import { execFile } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect } from 'vitest';
import { runCli, type CliResult } from '../helpers/cli.js';
import {
  startFaultProxy,
  type FaultProxy,
  type FaultRule,
} from '../helpers/fault-proxy.js';
import { repoRoot, tempDir } from '../helpers/paths.js';
import { startRegistry, type TestRegistry } from '../servers/registry.js';

const execFileP = promisify(execFile);

/** A real registry, a fault proxy in front of it and one pushed image. */
export interface FaultWorld {
  registry: TestRegistry;
  proxy: FaultProxy;
  /** Repository path of the pushed image (tag `v1`). */
  repo: string;
  manifestDigest: string;
  layerDigest: string;
  configDigest: string;
  /** `docker://PROXY/repo:v1`. */
  viaProxy: string;
}

/**
 * Start a registry and a proxy once per file and push a `make-demo-image`
 * image (a layer of `layerBytes` random bytes) straight to the registry.
 */
export function useFaultWorld(repo: string, layerBytes = 64 * 1024) {
  const world = {} as FaultWorld;
  beforeAll(async () => {
    world.registry = await startRegistry();
    world.proxy = await startFaultProxy(world.registry.url);
    world.repo = repo;
    const t = await tempDir('imgsign-faults-');
    const img = await makeDemoImage(join(t, 'img'), layerBytes);
    Object.assign(world, img);
    await expectOk(
      imgsign([
        'copy',
        `dir:${t}/img`,
        `docker://${world.registry.host}/${repo}:v1`,
      ]),
    );
    world.viaProxy = `docker://${world.proxy.host}/${repo}:v1`;
  });
  afterAll(async () => {
    await world.proxy?.stop();
    await world.registry?.stop();
  });
  return world;
}

/** `node scripts/make-demo-image.js DIR BYTES`, with the digests it wrote. */
export async function makeDemoImage(
  dir: string,
  layerBytes: number,
): Promise<{
  manifestDigest: string;
  layerDigest: string;
  configDigest: string;
}> {
  const { stdout } = await execFileP(process.execPath, [
    join(repoRoot, 'scripts/make-demo-image.js'),
    dir,
    String(layerBytes),
  ]);
  const { readFile } = await import('node:fs/promises');
  const manifest = JSON.parse(
    await readFile(join(dir, 'manifest.json'), 'utf8'),
  ) as { config: { digest: string }; layers: { digest: string }[] };
  return {
    manifestDigest: stdout.trim(),
    configDigest: manifest.config.digest,
    layerDigest: manifest.layers[0]?.digest ?? '',
  };
}

/** imgsign with plain-http loopback registries and no policy file. */
export function imgsign(
  args: string[],
  env: Record<string, string> = {},
): Promise<CliResult> {
  const [command, ...rest] = args;
  return runCli(
    [
      command ?? 'copy',
      '--insecure-policy',
      '--src-tls-verify=false',
      '--dest-tls-verify=false',
      ...rest,
    ],
    { env },
  );
}

export interface SkopeoResult {
  code: number;
  stderr: string;
}

/** skopeo copy with plain-http loopback registries and no policy file. */
export async function skopeoCopy(args: string[]): Promise<SkopeoResult> {
  try {
    await execFileP('skopeo', [
      '--insecure-policy',
      'copy',
      '--src-tls-verify=false',
      '--dest-tls-verify=false',
      ...args,
    ]);
    return { code: 0, stderr: '' };
  } catch (err) {
    const e = err as { code?: number; stderr?: string };
    return { code: e.code ?? -1, stderr: e.stderr ?? '' };
  }
}

export async function expectOk(r: Promise<CliResult>): Promise<CliResult> {
  const res = await r;
  expect(res.stderr).toBe('');
  expect(res.code).toBe(0);
  return res;
}

/**
 * A failed copy: exit `code` and exactly one stderr line, `imgsign: …`,
 * matching `names` (the image or blob), with no stack trace.
 */
export function expectOneLineFailure(
  res: CliResult,
  code: number,
  names: RegExp,
): void {
  const lines = res.stderr.split('\n').filter((l) => l !== '');
  expect(lines, res.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^imgsign: /);
  expect(lines[0]).toMatch(names);
  expect(res.stderr).not.toMatch(/\n\s+at /);
  expect(res.code, res.stderr).toBe(code);
}

/** Every path under `dir` (dot files included) with sizes, sorted. */
export async function listTree(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(join(dir, rel)).catch(() => []);
    for (const name of entries) {
      const p = rel === '' ? name : `${rel}/${name}`;
      const st = await stat(join(dir, p));
      if (st.isDirectory()) {
        out.push(`${p}/`);
        await walk(p);
      } else {
        out.push(`${p} ${st.size}`);
      }
    }
  };
  await walk('');
  return out.sort();
}

/** `s` quoted for use inside a RegExp. */
export const esc = (s: string): string =>
  s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Path regexps for the world's image. */
export function paths(world: FaultWorld) {
  return {
    layer: new RegExp(
      `^/v2/${esc(world.repo)}/blobs/${esc(world.layerDigest)}$`,
    ),
    manifest: new RegExp(`^/v2/${esc(world.repo)}/manifests/`),
    /** The API root GET that every registry client starts with. */
    ping: /^\/v2\/$/,
  };
}

/** Run `fn` with `rules` installed and the request log cleared; rules removed after. */
export async function withRules<T>(
  proxy: FaultProxy,
  rules: FaultRule[],
  fn: () => Promise<T>,
): Promise<T> {
  proxy.setRules(rules);
  proxy.requests.length = 0;
  try {
    return await fn();
  } finally {
    proxy.setRules([]);
  }
}
