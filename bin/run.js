#!/usr/bin/env node
// Start-up is part of the product (issue 2 §6): `--version` loads nothing,
// and a command runs from its bundle in dist/bundle/ (scripts/bundle.js)
// without oclif's Config and plugin loading. Help, topics, unknown commands,
// a missing or stale bundle, or IMGSIGN_NO_BUNDLE=1 go through oclif itself.
import {
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Script, constants } from 'node:vm';

// undici parses HTTP with llhttp compiled to WebAssembly. By default V8 also
// recompiles that module with TurboFan on a background thread, and node
// waits for the job before it exits: ~100 ms after the last response of
// every command that talks HTTP. The baseline (Liftoff) code parses
// registry traffic fast enough (see `npm run bench`, copy section).
setFlagsFromString('--liftoff-only');

// skopeo's global options may stand before the command (`imgsign --policy F copy …`).
const { normalizeGlobalArgv } = await import('../dist/cli/global-argv.js');
const argv = normalizeGlobalArgv(process.argv.slice(2));
process.argv.splice(2, Infinity, ...argv);
const readJson = (path) =>
  JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8'));

if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
  const pkg = readJson('../package.json');
  process.stdout.write(`imgsign/${pkg.version} node-${process.version}\n`);
} else if (!(await runBundled())) {
  if (process.env.IMGSIGN_DEBUG)
    process.stderr.write('imgsign: start-up through oclif\n');
  const { execute } = await import('@oclif/core');
  await execute({ dir: import.meta.url });
}

/** Runs the command from dist/bundle/; false when oclif must handle argv. */
async function runBundled() {
  if (process.env.IMGSIGN_NO_BUNDLE) return false;
  let index;
  try {
    index = readJson('../dist/bundle/index.json');
  } catch {
    return false;
  }
  const { routeArgv, isStale } = await import('../dist/cli/dispatch.js');
  const route = routeArgv(argv, index);
  if (!route) return false;
  const root = new URL('../', import.meta.url);
  const mtimeOf = (path) => {
    try {
      return statSync(new URL(path, root)).mtimeMs;
    } catch {
      return undefined;
    }
  };
  if (isStale(route.command, index.builtAt, mtimeOf)) return false;
  if (process.env.IMGSIGN_DEBUG) {
    process.stderr.write(
      `imgsign: start-up from dist/bundle/${route.command.file}\n`,
    );
  }
  let bundle;
  try {
    bundle = loadBundle(
      fileURLToPath(new URL(`dist/bundle/${route.command.file}`, root)),
      route.command.tag,
    );
  } catch (error) {
    // A bundle that does not load (half-written, from another node) must
    // not stop the CLI: oclif runs the command from dist/ instead.
    if (process.env.IMGSIGN_DEBUG) {
      process.stderr.write(`imgsign: bundle not loaded: ${error.stack}\n`);
    }
    return false;
  }
  await bundle.runBundledCommand(
    bundle.default,
    route.id,
    route.argv,
    readJson('../package.json'),
  );
  return true;
}

/**
 * Compiles a CommonJS bundle with the V8 code cache beside it (what Node 22's
 * module.enableCompileCache() does), and writes that cache on exit when it
 * was missing or rejected. The cache file is named by the bundle's content
 * hash, which its first line carries; V8 itself only checks the length.
 */
function loadBundle(file, tag) {
  const source = readFileSync(file, 'utf8');
  const cacheFile =
    tag && source.startsWith(`/* imgsign-bundle ${tag} */`)
      ? `${file}.${tag}.cache`
      : undefined;
  let cachedData;
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
    process.once('exit', () => {
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
  script.runInThisContext()(
    module.exports,
    createRequire(file),
    module,
    file,
    dirname(file),
  );
  return module.exports;
}
