import { execFile, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, statSync } from 'node:fs';
import {
  copyFile,
  mkdir,
  readFile,
  readdir,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isStale, type BundleIndex } from '../../src/cli/dispatch.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { manifestFixtures, repoRoot, tempDir } from '../helpers/paths.js';

// Start-up paths of bin/run.js: `--version` without oclif, commands from
// dist/bundle/ (scripts/bundle.js), everything else through oclif. These
// tests check behaviour only; scripts/bench.js measures the time.

const pkg = JSON.parse(
  readFileSync(join(repoRoot, 'package.json'), 'utf8'),
) as { version: string };
const manifest = JSON.parse(
  readFileSync(join(repoRoot, 'oclif.manifest.json'), 'utf8'),
) as { commands: Record<string, unknown> };
const commandIds = Object.keys(manifest.commands);
const v2s2 = join(manifestFixtures, 'v2s2.manifest.json');

const viaOclif = { IMGSIGN_NO_BUNDLE: '1' };
const traced = { IMGSIGN_DEBUG: '1' };

describe('imgsign --version', () => {
  it('prints the package version and the node version', async () => {
    const r = await runCli(['--version']);
    expect(r).toEqual({
      code: 0,
      stdout: `imgsign/${pkg.version} node-${process.version}\n`,
      stderr: '',
    });
  });
});

describe('imgsign --help', () => {
  it('lists every command or its topic from oclif.manifest.json', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const id of commandIds) {
      const first = id.split(':')[0] ?? id;
      expect(r.stdout).toMatch(new RegExp(`^ {2}${first} `, 'm'));
    }
  });

  it('lists the commands and subtopics of each topic under help TOPIC', async () => {
    // every proper prefix of a command id is a topic (`trust`, `trust key`)
    const topics = new Set(
      commandIds.flatMap((id) =>
        id
          .split(':')
          .slice(0, -1)
          .map((_, i, parts) => parts.slice(0, i + 1).join(':')),
      ),
    );
    for (const topic of topics) {
      const r = await runCli(['help', ...topic.split(':')]);
      expect(r.code).toBe(0);
      const depth = topic.split(':').length + 1;
      for (const id of commandIds.filter((c) => c.startsWith(`${topic}:`))) {
        // a command of the topic, or the subtopic that holds it
        const shown = id.split(':').slice(0, depth).join(' ');
        expect(r.stdout).toContain(shown);
      }
    }
  });

  it('shows a command usage for help COMMAND and COMMAND --help alike', async () => {
    const a = await runCli(['help', 'standalone-sign']);
    const b = await runCli(['standalone-sign', '--help'], { env: traced });
    expect(a.code).toBe(0);
    expect(a.stdout).toContain('$ imgsign standalone-sign MANIFEST');
    expect(b.stderr).toBe('imgsign: start-up through oclif\n');
    expect(b.stdout).toBe(a.stdout);
  });
});

describe('an unknown command', () => {
  it('exits 2 with one line naming it', async () => {
    const r = await runCli(['no-such-command', 'x']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('no-such-command');
  });
});

/**
 * The start-up line bin/run.js should trace for a bundled command: its
 * bundle, or oclif when a `tsc` run made the bundle stale (other builds in
 * the same tree). undefined when that changed while the command ran.
 */
async function expectedStartup(
  id: string,
  run: () => Promise<CliResult>,
): Promise<[CliResult, string | undefined]> {
  const before = bundleFresh(id);
  const r = await run();
  const after = bundleFresh(id);
  if (before !== after) return [r, undefined];
  const file = before ? `${id.replaceAll(':', '-')}.cjs` : '';
  return [
    r,
    before
      ? `imgsign: start-up from dist/bundle/${file}\n`
      : 'imgsign: start-up through oclif\n',
  ];
}

function bundleFresh(id: string): boolean {
  const index = JSON.parse(
    readFileSync(join(repoRoot, 'dist/bundle/index.json'), 'utf8'),
  ) as BundleIndex;
  const command = index.commands[id];
  if (!command) throw new Error(`${id} is not in dist/bundle/index.json`);
  return !isStale(command, index.builtAt, (path) => {
    try {
      return statSync(join(repoRoot, path)).mtimeMs;
    } catch {
      return undefined;
    }
  });
}

describe('a bundled command', () => {
  it('runs from dist/bundle/ unless a later tsc made it stale', async () => {
    const [r, startup] = await expectedStartup('manifest-digest', () =>
      runCli(['manifest-digest', v2s2], { env: traced }),
    );
    if (startup) expect(r.stderr).toBe(startup);
    expect(r.code).toBe(0);
  });

  it('collates a topic command the way oclif does', async () => {
    const home = await tempDir();
    const [r, startup] = await expectedStartup('key:list', () =>
      runCli(['key', 'list', '--json'], {
        env: { ...traced, IMGSIGN_HOME: home },
      }),
    );
    if (startup) expect(r.stderr).toBe(startup);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([]);
  });

  const cases: [string, string[]][] = [
    ['a result', ['manifest-digest', v2s2]],
    ['a --json result', ['manifest-digest', v2s2, '--json']],
    ['a usage error', ['manifest-digest']],
    ['an unknown flag', ['manifest-digest', v2s2, '--bogus']],
    ['a failure', ['manifest-digest', '/nonexistent/manifest.json']],
    [
      'a --json failure',
      ['manifest-digest', '/nonexistent/manifest.json', '--json'],
    ],
    ['an unexpected argument', ['key', 'list', 'extra']],
  ];
  it.each(cases)(
    'gives the same output and exit code as oclif for %s',
    async (_, argv) => {
      const fast = await runCli(argv);
      const slow = await runCli(argv, { env: viaOclif });
      expect(fast).toEqual(slow);
    },
  );
});

describe('standard output that cannot be written', () => {
  // /dev/full fails every write with ENOSPC, like a full disk. A bundled
  // command reports it in one line, exit 3 (oclif itself throws a stack
  // trace from its stdout error handler).
  const toFullDisk = (args: string[]): Promise<CliResult> =>
    new Promise((done, fail) => {
      const full = openSync('/dev/full', 'w');
      const child = spawn(
        process.execPath,
        [join(repoRoot, 'bin/run.js'), ...args],
        { stdio: ['ignore', full, 'pipe'] },
      );
      closeSync(full);
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', fail);
      child.on('close', (code) =>
        done({ code: code ?? -1, stdout: '', stderr }),
      );
    });

  it.each([
    ['a result line (written without the stream)', [v2s2]],
    ['a --json result (through the stream)', [v2s2, '--json']],
  ])('is one line and exit 3 for %s', async (_, args) => {
    const [r, startup] = await expectedStartup('manifest-digest', () =>
      toFullDisk(['manifest-digest', ...args]),
    );
    if (startup?.includes('oclif')) return; // a later tsc: not bundled
    expect(r).toMatchObject({
      code: 3,
      stderr:
        'imgsign: cannot write to standard output: ENOSPC: no space left on device, write\n',
    });
  });
});

describe('the bundles scripts/bundle.js writes', () => {
  it('are ASCII, so that the launcher reads them as Latin-1 unchanged', async () => {
    const dir = join(repoRoot, 'dist/bundle');
    const files = (await readdir(dir)).filter((f) => f.endsWith('.cjs'));
    expect(files).toContain('launch.cjs');
    for (const file of files) {
      const bytes = await readFile(join(dir, file));
      expect(
        bytes.findIndex((b) => b > 0x7f),
        file,
      ).toBe(-1);
    }
  });
});

/** Runs bin/run.js of another package root (a copy made by a test). */
function runIn(
  root: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [join(root, 'bin/run.js'), ...args],
      { env: { ...process.env, ...env } },
      (error, _stdout, stderr) =>
        done({ code: error ? (error.code as number) : 0, stderr }),
    );
  });
}

describe('bin/run.js without a build', () => {
  it('exits 4 with one line saying to build', async () => {
    const root = await tempDir();
    await mkdir(join(root, 'bin'));
    for (const file of ['bin/run.js', 'bin/package.json', 'package.json']) {
      await copyFile(join(repoRoot, file), join(root, file));
    }
    const r = await runIn(root, ['manifest-digest', v2s2]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(
      /^imgsign: cannot start \(run `npm run build` or reinstall\): .*dist\/cli\/launch\.js.*\n$/,
    );
  });
});

/**
 * A package root whose dist/bundle/ holds only the launcher, the index and
 * command `id`'s bundle, without its code cache; the rest links to the
 * repository's build.
 */
async function packageWithoutCodeCache(
  id: string,
  alsoBundled: string[] = [],
): Promise<string> {
  const root = await tempDir();
  await mkdir(join(root, 'bin'));
  for (const file of ['bin/run.js', 'bin/package.json', 'package.json']) {
    await copyFile(join(repoRoot, file), join(root, file));
  }
  await symlink(join(repoRoot, 'node_modules'), join(root, 'node_modules'));
  await mkdir(join(root, 'dist/bundle'), { recursive: true });
  for (const entry of await readdir(join(repoRoot, 'dist'))) {
    if (entry !== 'bundle') {
      await symlink(join(repoRoot, 'dist', entry), join(root, 'dist', entry));
    }
  }
  const index = JSON.parse(
    await readFile(join(repoRoot, 'dist/bundle/index.json'), 'utf8'),
  ) as BundleIndex;
  for (const file of [
    'index.json',
    'launch.cjs',
    index.commands[id]!.file,
    ...alsoBundled,
  ]) {
    await copyFile(
      join(repoRoot, 'dist/bundle', file),
      join(root, 'dist/bundle', file),
    );
  }
  return root;
}

describe('the V8 code cache of a bundle', () => {
  const cases: [string, string, string[]][] = [
    ['manifest-digest', 'manifest-digest', [v2s2]],
    // a bundle with undici, loaded under V8's WebAssembly flag
    [
      'inspect',
      'inspect',
      ['docker://127.0.0.1:9/none/x:1', '--tls-verify=false'],
    ],
  ];
  it.each(cases)(
    'that the first run of %s writes is accepted by the next run',
    async (_, id, args) => {
      const root = await packageWithoutCodeCache(id);
      const first = await runIn(root, [id, ...args], traced);
      // a `tsc` in this tree since the last bundling sends runs to oclif
      if (!first.stderr.startsWith('imgsign: start-up from dist/bundle/'))
        return;
      const caches = (await readdir(join(root, 'dist/bundle'))).filter((f) =>
        f.endsWith('.cache'),
      );
      expect(caches).toHaveLength(1);
      const cache = join(root, 'dist/bundle', caches[0]!);
      const written = statSync(cache);
      await runIn(root, [id, ...args]);
      // a rejected cache is written anew (temp file + rename: another inode)
      expect(statSync(cache).ino).toBe(written.ino);
      expect(statSync(cache).mtimeMs).toBe(written.mtimeMs);
    },
  );
});

describe('openpgp.js, bundled on its own', () => {
  const { version } = JSON.parse(
    readFileSync(join(repoRoot, 'node_modules/openpgp/package.json'), 'utf8'),
  ) as { version: string };
  const marker = `"OpenPGP.js ${version}"`;

  it('is in dist/bundle/openpgp.cjs and in no command bundle', async () => {
    const dir = join(repoRoot, 'dist/bundle');
    expect(readFileSync(join(dir, 'openpgp.cjs'), 'latin1')).toContain(marker);
    for (const file of await readdir(dir)) {
      if (!file.endsWith('.cjs') || file === 'openpgp.cjs') continue;
      expect(readFileSync(join(dir, file), 'latin1'), file).not.toContain(
        marker,
      );
    }
  });

  it('loads with a code cache that its first use writes and the next accepts', async () => {
    // key generate makes its key with openpgp.js
    const root = await packageWithoutCodeCache('key:generate', ['openpgp.cjs']);
    const home = await tempDir();
    const generate = (email: string) =>
      runIn(root, ['key', 'generate', '--name', 'Cache', '--email', email], {
        ...traced,
        IMGSIGN_HOME: home,
      });
    const first = await generate('c1@example.com');
    expect(first.code).toBe(0);
    // a `tsc` in this tree since the last bundling sends runs to oclif
    if (!first.stderr.startsWith('imgsign: start-up from dist/bundle/')) return;
    const caches = (await readdir(join(root, 'dist/bundle'))).filter(
      (f) => f.startsWith('openpgp.cjs.') && f.endsWith('.cache'),
    );
    expect(caches).toHaveLength(1);
    const cache = join(root, 'dist/bundle', caches[0]!);
    const written = statSync(cache);
    expect((await generate('c2@example.com')).code).toBe(0);
    // a rejected cache is written anew (temp file + rename: another inode)
    expect(statSync(cache).ino).toBe(written.ino);
  });
});

describe('bundled modules that read package files', () => {
  it('sign with the package version as creator, as through oclif', async () => {
    const home = await tempDir();
    const env = { IMGSIGN_HOME: home, GNUPGHOME: join(home, 'gnupg') };
    const gen = await runCli(
      ['key', 'generate', '--name', 'Startup', '--email', 's@example.com'],
      { env },
    );
    expect(gen.code).toBe(0);
    for (const mode of [{}, viaOclif]) {
      const sig = join(home, 'sig');
      const sign = await runCli(
        [
          'standalone-sign',
          v2s2,
          'example.com/startup:1',
          's@example.com',
          '-o',
          sig,
        ],
        { env: { ...env, ...mode } },
      );
      expect(sign).toMatchObject({ code: 0, stderr: '' });
      const dump = await runCli(
        ['untrusted-signature-dump-without-verification', sig],
        { env: { ...env, ...mode } },
      );
      expect(dump.code).toBe(0);
      expect(
        (JSON.parse(dump.stdout) as { UntrustedCreatorID: string })
          .UntrustedCreatorID,
      ).toBe(`imgsign ${pkg.version}`);
    }
  });
});

describe('node modules a bundled sign and verify load', () => {
  // Issue 2's start-up target: each of these costs node 1-5 ms to load, and
  // signing or verifying a signature imgsign made needs none of them (the
  // output goes to the descriptor without stream objects, src/cli/stdio.ts;
  // files are read and written synchronously; zlib only for gpg's
  // compressed signatures).
  const notNeeded = [
    'net',
    'tty',
    'internal/fs/promises',
    'module',
    'internal/modules/esm/loader',
    'os',
    'zlib',
  ];

  it('are none of net, tty, fs/promises, module, os or zlib', async () => {
    const home = await tempDir();
    const probe = join(home, 'probe.cjs');
    await writeFile(
      probe,
      "process.on('exit', () => require('node:fs').writeFileSync(process.env.PROBE_OUT, JSON.stringify(process.moduleLoadList)));\n",
    );
    const env = { IMGSIGN_HOME: home, GNUPGHOME: join(home, 'gnupg') };
    const gen = await runCli(
      ['key', 'generate', '--name', 'Probe', '--email', 'p@example.com'],
      { env },
    );
    expect(gen.code).toBe(0);
    const sig = join(home, 'sig');
    const loadedBy = async (argv: string[]): Promise<string[] | undefined> => {
      const out = join(home, `${argv[0]}.json`);
      const fresh = bundleFresh(argv[0]!);
      const r = await runCli(argv, {
        env: { ...env, PROBE_OUT: out, NODE_OPTIONS: `--require ${probe}` },
      });
      expect(r).toMatchObject({ code: 0, stderr: '' });
      // a `tsc` in this tree since the last bundling sends runs to oclif
      if (!fresh || !bundleFresh(argv[0]!)) return undefined;
      return (JSON.parse(await readFile(out, 'utf8')) as string[])
        .filter((m) => m.startsWith('NativeModule '))
        .map((m) => m.slice('NativeModule '.length));
    };
    const signing = await loadedBy([
      'standalone-sign',
      v2s2,
      'example.com/probe:1',
      'p@example.com',
      '-o',
      sig,
    ]);
    const list = await runCli(['key', 'list', '--json'], { env });
    const [key] = JSON.parse(list.stdout) as { fingerprint: string }[];
    const verifying = await loadedBy([
      'standalone-verify',
      v2s2,
      'example.com/probe:1',
      key!.fingerprint,
      sig,
    ]);
    for (const loaded of [signing, verifying]) {
      if (loaded === undefined) continue;
      expect(loaded).toContain('crypto'); // the probe saw the command run
      expect(loaded.filter((m) => notNeeded.includes(m))).toEqual([]);
    }
  });
});
