/**
 * What bin/run.js does on every start (start-up is part of the product,
 * issue 2 §6). `--version` loads nothing; a command runs from its bundle in
 * dist/bundle/ (scripts/bundle.js) without oclif's Config and plugin
 * loading; help, topics, unknown commands, a missing or stale bundle, or
 * IMGSIGN_NO_BUNDLE=1 go through oclif itself.
 *
 * scripts/bundle.js also builds this module into dist/bundle/launch.cjs for
 * bin/run.js, which is CommonJS: an ES module entry point would start
 * node's ES module loader on every run. Without bundles, bin/run.js imports
 * dist/cli/launch.js instead. Only node builtins and the import-free
 * dispatch and global-argv modules may be imported here.
 */
import {
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Script, constants } from 'node:vm';
import {
  isStale as isOlderThanInputs,
  routeArgv,
  type BundleIndex,
  type BundledCommand,
} from './dispatch.js';
import { normalizeGlobalArgv } from './global-argv.js';

export interface LaunchOptions {
  /** The package root (where package.json is). */
  root: string;
  /** argv after node and the script. */
  argv: string[];
  /** Whether this module runs from dist/bundle/launch.cjs. */
  bundled: boolean;
  /**
   * bin/run.js's require, which loads the bundles and node:v8: node:module
   * (for createRequire) would cost every start ~2 ms to load. Bundles only
   * require node builtins and absolute paths, so where it resolves from
   * does not matter.
   */
  require: NodeJS.Require;
}

interface PackageJson {
  name: string;
  version: string;
  oclif: { bin?: string };
}

interface CommandBundle {
  default: unknown;
  runBundledCommand(
    command: unknown,
    id: string,
    argv: string[],
    pkg: PackageJson,
  ): Promise<void>;
}

const trace = (line: string) => {
  if (process.env['IMGSIGN_DEBUG']) process.stderr.write(`imgsign: ${line}\n`);
};

export async function launch(options: LaunchOptions): Promise<void> {
  const { root } = options;
  // skopeo's global options may stand before the command (`imgsign --policy F copy …`).
  const argv = normalizeGlobalArgv(options.argv);
  process.argv.splice(2, Infinity, ...argv);
  const readJson = <T>(path: string) =>
    JSON.parse(readFileSync(join(root, path), 'utf8')) as T;

  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
    const pkg = readJson<PackageJson>('package.json');
    process.stdout.write(`imgsign/${pkg.version} node-${process.version}\n`);
    return;
  }
  if (!process.env['IMGSIGN_NO_BUNDLE']) {
    const index = readIndex(readJson);
    if (options.bundled && isStale(index?.launcher, index, root)) {
      // A `tsc` run changed this module after the bundles were built.
      const fresh = (await import(
        pathToFileURL(join(root, 'dist/cli/launch.js')).href
      )) as { launch(options: LaunchOptions): Promise<void> };
      return fresh.launch({ ...options, bundled: false });
    }
    const route = index && routeArgv(argv, index);
    if (route && !isStale(route.command, index, root)) {
      const bundle = loadCommandBundle(root, route.command, options.require);
      if (bundle) {
        await bundle.runBundledCommand(
          bundle.default,
          route.id,
          route.argv,
          readJson<PackageJson>('package.json'),
        );
        return;
      }
    }
  }
  trace('start-up through oclif');
  useBaselineWasm(options.require);
  const { execute } = await import('@oclif/core');
  await execute({ dir: root });
}

function readIndex(readJson: <T>(path: string) => T): BundleIndex | undefined {
  try {
    return readJson<BundleIndex>('dist/bundle/index.json');
  } catch {
    return undefined;
  }
}

/** Whether a bundle is missing from the index or older than a build output it was made from. */
function isStale(
  bundle: BundledCommand | undefined,
  index: BundleIndex | undefined,
  root: string,
): boolean {
  return (
    !bundle ||
    !index ||
    isOlderThanInputs(bundle, index.builtAt, (path) => {
      try {
        return statSync(join(root, path)).mtimeMs;
      } catch {
        return undefined;
      }
    })
  );
}

/**
 * undici parses HTTP with llhttp compiled to WebAssembly. By default V8
 * also recompiles that module with TurboFan on a background thread, and
 * node waits for the job before it exits: ~100 ms after the last response of
 * every command that talks HTTP. The baseline (Liftoff) code parses registry
 * traffic fast enough (see `npm run bench`, copy section). Set only for
 * commands that bundle undici: loading node:v8 costs the others ~3 ms.
 */
function useBaselineWasm(require: NodeJS.Require): void {
  v8Flags(require)('--liftoff-only');
}

/**
 * V8's setFlagsFromString, required (not imported: from the CommonJS
 * launcher, import() would start the ES module loader just for this).
 */
function v8Flags(require: NodeJS.Require): (flags: string) => void {
  const v8 = require('node:v8') as typeof import('node:v8');
  return (flags) => v8.setFlagsFromString(flags);
}

/** The command's bundle, or undefined when it does not load (oclif runs it instead). */
function loadCommandBundle(
  root: string,
  command: BundledCommand,
  require: NodeJS.Require,
): CommandBundle | undefined {
  const file = join(root, 'dist/bundle', command.file);
  trace(`start-up from dist/bundle/${command.file}`);
  // Before compiling: V8 rejects a code cache made under other flags.
  if (command.wasm !== false) useBaselineWasm(require);
  try {
    return loadBundle(file, command.tag, require) as CommandBundle;
  } catch (error) {
    // A bundle that does not load (half-written, from another node) must
    // not stop the CLI: oclif runs the command from dist/ instead.
    trace(`bundle not loaded: ${(error as Error).stack}`);
    return undefined;
  }
}

/**
 * A bundle that command bundles load on first use, from dist/bundle/, with
 * its code cache like theirs: openpgp.js (scripts/bundle.js), half a
 * megabyte that most runs never execute but every start paid ~3 ms to read
 * and compile around while it was inside each command's bundle. Its cache
 * is named by the tag on its own first line.
 */
export function loadBundledModule(
  file: string,
  require: NodeJS.Require,
): unknown {
  return loadBundle(file, undefined, require);
}

/**
 * Compiles a CommonJS bundle with the V8 code cache beside it (what Node 22's
 * module.enableCompileCache() does), and writes that cache on exit when it
 * was missing or rejected. The cache file is named by the bundle's content
 * hash, which its first line carries; V8 itself only checks the length.
 * Bundles are ASCII (scripts/bundle.js escapes the rest), so they are read
 * as Latin-1: UTF-8 decoding a megabyte costs several milliseconds.
 */
function loadBundle(
  file: string,
  tag: string | undefined, // undefined: any, from the file's first line
  require: NodeJS.Require,
): unknown {
  const source = readFileSync(file, 'latin1');
  const ownTag = /^\/\* imgsign-bundle ([0-9a-f]{16}) \*\//.exec(source)?.[1];
  // A command's bundle must carry the tag the index recorded for it.
  const cacheFile =
    ownTag !== undefined && (tag === undefined || tag === ownTag)
      ? `${file}.${ownTag}.cache`
      : undefined;
  let cachedData: Buffer | undefined;
  try {
    if (cacheFile) cachedData = readFileSync(cacheFile);
  } catch {
    // first run of this build: written on exit
  }
  const script = new Script(
    `(function (exports, require, module, __filename, __dirname) {${source}\n})`,
    {
      filename: file,
      cachedData,
      importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    },
  );
  if (cacheFile && (!cachedData || script.cachedDataRejected)) {
    // A cache holds only functions that still have their bytecode when it is
    // made, and V8 drops the bytecode of functions idle for a few garbage
    // collections: a long first run (`verify` of 500 images) would leave a
    // cache without much of what a short run needs. Bytecode is kept while
    // this run makes the cache; the flag is back before the cache is
    // written, as V8 only accepts a cache made under the same flags.
    const setFlags = v8Flags(require);
    setFlags('--no-flush-bytecode');
    process.once('exit', () => {
      setFlags('--flush-bytecode');
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      try {
        writeFileSync(tmp, script.createCachedData());
        renameSync(tmp, cacheFile);
      } catch {
        // read-only install: run without a cache
        rmSync(tmp, { force: true });
      }
    });
  }
  const module = { exports: {} };
  (
    script.runInThisContext() as (
      exports: object,
      require: NodeJS.Require,
      module: object,
      filename: string,
      dirname: string,
    ) => void
  )(module.exports, require, module, file, dirname(file));
  return module.exports;
}
