#!/usr/bin/env node
// Bundles each command in oclif.manifest.json, with its library code,
// @oclif/core and the other dependencies, into one CommonJS file per command
// in dist/bundle/ (modules inside are evaluated lazily, so openpgp only runs
// when a command signs or verifies). bin/run.js compiles the command's file
// with a V8 code cache kept beside it, skipping the resolution and
// compilation of hundreds of node_modules files and oclif's plugin loading;
// help, topics and unknown commands still go through oclif.
// Runs after tsc and scripts/oclif-manifest.js (`npm run build`).
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist/bundle');
const manifest = JSON.parse(
  readFileSync(join(root, 'oclif.manifest.json'), 'utf8'),
);
const builtAt = Date.now();
const oclifLib = join(root, 'node_modules/@oclif/core/lib');
const distDir = join(root, 'dist') + '/';

// What imgsign's code takes from '@oclif/core', straight from the modules
// that define it rather than through the index, which loads all of oclif
// (config and plugin loading, help, semver, minimatch, ejs, ...).
const oclifSlim = `
const Args = require('./args');
const Flags = require('./flags');
const Errors = require('./errors');
const { Command } = require('./command');
const { flush } = require('./flush');
const { ux } = require('./ux');
export { Args, Errors, Flags, Command, flush, ux };
`;

/**
 * An ES module standing in for a CommonJS module (or node builtin) that is
 * required on first use of any of its exports: functions and classes are
 * forwarded through Proxies (call, new, properties), objects likewise.
 */
function lazyModule(specifier, exported) {
  return [
    `let m; const load = () => (m ??= require(${JSON.stringify(specifier)}));`,
    'const fn = (k) => new Proxy(function () {}, {',
    '  apply: (_, self, args) => Reflect.apply(load()[k], self, args),',
    '  construct: (target, args, newTarget) =>',
    '    Reflect.construct(load()[k], args, newTarget === proxies[k] ? load()[k] : newTarget),',
    '  get: (_, p) => load()[k][p],',
    '  has: (_, p) => p in load()[k],',
    '});',
    'const obj = (k) => new Proxy({}, {',
    '  get: (_, p) => load()[k][p],',
    '  has: (_, p) => p in load()[k],',
    '  ownKeys: () => Reflect.ownKeys(load()[k]),',
    '  getOwnPropertyDescriptor: (_, p) => ({ ...Reflect.getOwnPropertyDescriptor(load()[k], p), configurable: true }),',
    '});',
    'const proxies = {};',
    ...Object.entries(exported)
      .filter(([k]) => /^[A-Za-z_$][\w$]*$/.test(k) && k !== 'default')
      .map(
        ([k, v]) =>
          `export const ${k} = (proxies.${k} = ${typeof v === 'function' ? 'fn' : 'obj'}(${JSON.stringify(k)}));`,
      ),
  ].join('\n');
}

// Modules our code imports at top level but most runs never use: undici
// (≈800 kB, only when a command talks HTTP), child_process (only for gpg
// and credential helpers), tar-stream (only for archive transports), and
// node builtins that cost 1-3 ms each to load: fs/promises (sign and verify
// read and write their few files synchronously), os (home directory
// defaults), module (createRequire) and zlib (compressed layers and gpg's
// compressed signatures). They are evaluated on first use instead.
const requireFromRoot = createRequire(join(root, 'package.json'));
const undiciLib = (path) =>
  JSON.stringify(requireFromRoot.resolve(`undici/lib/${path}`));

// What imgsign takes from undici (`request`, `Agent`), from the modules that
// define them: the index also evaluates fetch, WebSocket, EventSource, the
// caches and the mocks (~30 ms of every command that talks HTTP).
const undiciSlim = `
const Agent = require(${undiciLib('dispatcher/agent.js')});
const apiRequest = require(${undiciLib('api/api-request.js')});
const { getGlobalDispatcher } = require(${undiciLib('global.js')});
function request(url, options = {}) {
  const target = new URL(url);
  const { dispatcher = getGlobalDispatcher(), ...rest } = options;
  return apiRequest.call(dispatcher, {
    ...rest,
    origin: target.origin,
    path: target.pathname + target.search,
    method: rest.method ?? (rest.body ? 'PUT' : 'GET'),
  });
}
module.exports = { Agent, request, getGlobalDispatcher };
`;

const lazyModules = {
  undici: lazyModule('undici-slim', {
    Agent: requireFromRoot('undici').Agent,
    request: requireFromRoot('undici').request,
    getGlobalDispatcher: requireFromRoot('undici').getGlobalDispatcher,
  }),
  'node:child_process': lazyModule(
    'node:child_process',
    requireFromRoot('node:child_process'),
  ),
  'node:fs/promises': lazyModule(
    'node:fs/promises',
    requireFromRoot('node:fs/promises'),
  ),
  'node:os': lazyModule('node:os', requireFromRoot('node:os')),
  'node:module': lazyModule('node:module', requireFromRoot('node:module')),
  'node:zlib': lazyModule('node:zlib', requireFromRoot('node:zlib')),
  'tar-stream': lazyModule(
    requireFromRoot.resolve('tar-stream'),
    requireFromRoot('tar-stream'),
  ),
};

// undici only ever calls `assert(value, message)`: node:assert (~3 ms to
// load, for its AssertionError and deep-equality machinery) is required
// only when an assertion fails, to throw exactly what it would have.
const assertStandIn = [
  'module.exports = function assert(value, message) {',
  "  if (!value) require('node:assert')(value, message);",
  '};',
].join('\n');

// openpgp.js is bundled on its own (dist/bundle/openpgp.cjs, below): most
// runs never use it (src/signature/pgp/native/ handles common keys), and
// half a megabyte of it in every command's bundle cost each start ~3 ms.
// Command bundles load it on first use through the launcher, with its own
// code cache; without it (an older build), from node_modules.
const openpgpStandIn = [
  "const { join } = require('node:path');",
  'let openpgp;',
  'try {',
  "  openpgp = require(join(__dirname, 'launch.cjs')).loadBundledModule(join(__dirname, 'openpgp.cjs'), require);",
  '} catch {',
  // a path in a variable, or esbuild would bundle it right here
  `  const fromNodeModules = ${JSON.stringify(requireFromRoot.resolve('openpgp'))};`,
  '  openpgp = require(fromNodeModules);',
  '}',
  'module.exports = openpgp;',
].join('\n');

// oclif's logger traces through `debug`, which only prints with DEBUG set:
// without it, a no-op stands in and the module (tty, colours) is not run.
const debugPath = createRequire(join(oclifLib, 'logger.js')).resolve('debug');
const debugStandIn = [
  `module.exports = process.env.DEBUG ? require(${JSON.stringify(debugPath)})`,
  '  : (namespace) => Object.assign(() => {}, { enabled: false, namespace });',
].join('\n');

// Requires that most runs never use, made lazy so that they are only
// evaluated if they are used after all (paths relative to node_modules/).
// Requires inside oclif that only run for help or Config.load(), neither of
// which a bundled command uses (bin/run.js leaves both to oclif):
const lazyRequires = {
  '@oclif/core/lib/command.js': ['require("./config")'],
  '@oclif/core/lib/flags.js': ['require("./help")'],
  // only for flags and arguments read from stdin
  '@oclif/core/lib/parser/parse.js': [
    'require("node:readline")',
    'require("node:os")',
  ],
  // only for `Flags.file({exists: true})`-style checks (~2 ms of loading)
  '@oclif/core/lib/util/fs.js': ['require("node:fs/promises")'],
  // ansis probes process.stdout when it loads (see `stdioRewrites`)
  '@oclif/core/lib/ux/theme.js': ['__importDefault(require("ansis"))'],
  // only when output is coloured (errors, help): loading it probes the
  // terminals and loads node:tty and node:os (~8 ms of every command)
  '@oclif/core/lib/ux/supports-color.js': ['require("supports-color")'],
  // only to render an error; wrap-ansi builds its colour tables on load
  '@oclif/core/lib/errors/errors/cli.js': [
    'require("clean-stack")',
    'require("wrap-ansi")',
  ],
  '@oclif/core/lib/errors/errors/pretty-print.js': [
    '__importDefault(require("wrap-ansi"))',
  ],
  '@oclif/core/lib/errors/handle.js': [
    'require("../help/index")',
    '__importDefault(require("clean-stack"))',
  ],
  // the spinner (and cli-spinners' frame tables) only on a terminal
  '@oclif/core/lib/ux/index.js': [
    '__importDefault(require("./action/spinner"))',
  ],
  // only for registries that negotiate HTTP/2 (loads node:http2)
  'undici/lib/dispatcher/client.js': ["require('./client-h2.js')"],
};
// Module bodies that read process.stdout or process.stderr when they load:
// the first read makes the stream, which loads node's stream and net
// modules (~5 ms). imgsign writes its output without them (src/cli/output.ts),
// so they are read when first needed instead.
const stdioRewrites = {
  // src/cli/fast-run.ts adds this handler when stdout is made
  '@oclif/core/lib/command.js': [
    [
      "process.stdout.on('error', (err) => {\n    if (err && err.code === 'EPIPE')\n        return;\n    throw err;\n});",
      '',
    ],
  ],
  // the progress "action" (spinner or plain), made when first used
  '@oclif/core/lib/ux/index.js': [
    ['const ACTION_TYPE = (', 'const ACTION_TYPE = () => ('],
    [
      "exports.action = ACTION_TYPE === 'spinner' ? new spinner_1.default() : new simple_1.default();",
      "let action; Object.defineProperty(exports, 'action', { enumerable: true, get: () => (action ??= ACTION_TYPE() === 'spinner' ? new spinner_1.default() : new simple_1.default()) });",
    ],
    [
      '    action: exports.action,',
      '    get action() { return exports.action; },',
    ],
  ],
  '@oclif/core/lib/screen.js': [
    [
      'exports.stdtermwidth = columns || termwidth(process.stdout);',
      'let stdtermwidth; Object.defineProperty(exports, "stdtermwidth", { enumerable: true, get: () => (stdtermwidth ??= columns || termwidth(process.stdout)) });',
    ],
    [
      'exports.errtermwidth = columns || termwidth(process.stderr);',
      'let errtermwidth; Object.defineProperty(exports, "errtermwidth", { enumerable: true, get: () => (errtermwidth ??= columns || termwidth(process.stderr)) });',
    ],
  ],
};

// A stand-in that requires the module on first use. Modules that export a
// function (all but the oclif ones above) are called through it; they are
// plain CommonJS, so __esModule is answered without loading them.
const lazyHelper = [
  'const __imgsignLazy = (load) => { let m; const get = () => (m ??= load());',
  '  return new Proxy(function () {}, {',
  "    get: (_, k) => (k === '__esModule' ? undefined : get()[k]),",
  '    has: (_, k) => k in get(),',
  '    apply: (_, self, args) => Reflect.apply(get(), self, args),',
  '  }); };\n',
].join('\n');
const nodeModules = join(root, 'node_modules') + '/';

function oclifPlugin(slim) {
  return {
    name: 'imgsign-oclif',
    setup(b) {
      if (slim) {
        b.onResolve(
          { filter: /^(undici|node:[a-z/_]+|tar-stream)$/ },
          (args) =>
            args.importer.startsWith(distDir) && args.path in lazyModules
              ? { path: `lazy:${args.path}`, namespace: 'imgsign' }
              : undefined,
        );
        b.onResolve({ filter: /^debug$/ }, (args) =>
          args.importer === join(oclifLib, 'logger.js')
            ? { path: 'debug-stand-in', namespace: 'imgsign' }
            : undefined,
        );
        b.onResolve({ filter: /^node:assert$/ }, (args) =>
          args.importer.startsWith(join(nodeModules, 'undici/'))
            ? { path: 'assert-stand-in', namespace: 'imgsign' }
            : undefined,
        );
        b.onResolve({ filter: /^openpgp$/ }, (args) =>
          args.importer.startsWith(distDir)
            ? { path: 'openpgp-stand-in', namespace: 'imgsign' }
            : undefined,
        );
        b.onResolve({ filter: /^undici-slim$/ }, () => ({
          path: 'undici-slim',
          namespace: 'imgsign',
        }));
        b.onResolve({ filter: /^@oclif\/core$/ }, () => ({
          path: 'oclif-core-slim',
          namespace: 'imgsign',
        }));
        b.onLoad({ filter: /.*/, namespace: 'imgsign' }, (args) => ({
          contents: args.path.startsWith('lazy:')
            ? lazyModules[args.path.slice('lazy:'.length)]
            : {
                'assert-stand-in': assertStandIn,
                'debug-stand-in': debugStandIn,
                'oclif-core-slim': oclifSlim,
                'openpgp-stand-in': openpgpStandIn,
                'undici-slim': undiciSlim,
              }[args.path],
          resolveDir: oclifLib,
          loader: 'js',
        }));
      }
      // Our modules find package files (policies/, registries.d/,
      // package.json) from import.meta.url: keep it the URL of the module's
      // own dist/ file rather than that of the bundle.
      b.onLoad({ filter: /\.js$/ }, (args) => {
        if (!args.path.startsWith(distDir)) return undefined;
        const source = readFileSync(args.path, 'utf8');
        if (!source.includes('import.meta.url')) return undefined;
        const rel = relative(outdir, args.path).replaceAll('\\', '/');
        return {
          contents: source.replaceAll(
            'import.meta.url',
            `new URL(${JSON.stringify(rel)}, __imgsignMetaUrl).href`,
          ),
          resolveDir: dirname(args.path),
          loader: 'js',
        };
      });
      b.onLoad({ filter: /\.js$/ }, (args) => {
        if (!args.path.startsWith(nodeModules)) return undefined;
        const rel = args.path.slice(nodeModules.length).replaceAll('\\', '/');
        const calls = lazyRequires[rel] ?? [];
        const rewrites = stdioRewrites[rel] ?? [];
        if (calls.length === 0 && rewrites.length === 0) return undefined;
        let source = readFileSync(args.path, 'utf8');
        for (const [from, to] of rewrites) {
          if (!source.includes(from)) {
            throw new Error(`a dependency changed: ${rel} has no ${from}`);
          }
          source = source.replace(from, to);
        }
        for (const call of calls) {
          if (!source.includes(call)) {
            throw new Error(`a dependency changed: ${rel} has no ${call}`);
          }
          // A default import (`x_1.default`, compiled TypeScript) becomes an
          // object whose `default` requires on first read; any other
          // require, a proxy (__imgsignLazy).
          source = call.startsWith('__importDefault(')
            ? source.replace(
                call,
                `{ get default() { return ${call}.default; } }`,
              )
            : source.replace(call, `__imgsignLazy(() => ${call})`);
        }
        return { contents: lazyHelper + source, loader: 'js' };
      });
    },
  };
}

// One small entry module per command: the command class and the runner,
// sharing one copy of @oclif/core through the chunks.
const entries = mkdtempSync(join(tmpdir(), 'imgsign-bundle-'));
const entryPoints = {};
const runner = join(root, 'dist/cli/fast-run.js');
for (const [id, command] of Object.entries(manifest.commands)) {
  const name = id.replaceAll(':', '-');
  const file = join(entries, `${name}.js`);
  const commandFile = join(root, ...command.relativePath);
  writeFileSync(
    file,
    `export { default } from ${JSON.stringify(commandFile)};\n` +
      `export { runBundledCommand } from ${JSON.stringify(runner)};\n`,
  );
  entryPoints[name] = file;
}

// Build into a temporary directory and swap it in, so that a CLI started
// during the build never sees half a bundle.
const staging = `${outdir}.tmp-${process.pid}`;
rmSync(staging, { recursive: true, force: true });
// import.meta.url of a dependency (openpgp's createRequire) is the bundle's.
const metaUrl = join(entries, 'import-meta-url.js');
writeFileSync(
  metaUrl,
  "export const __imgsignMetaUrl = require('node:url').pathToFileURL(__filename).href;\n",
);
const options = {
  entryPoints,
  outdir: staging,
  outExtension: { '.js': '.cjs' },
  absWorkingDir: root,
  bundle: true,
  format: 'cjs',
  inject: [metaUrl],
  define: { 'import.meta.url': '__imgsignMetaUrl' },
  platform: 'node',
  target: 'node20',
  // Smaller files compile faster without a cache; names stay for error
  // classes and stacks (IMGSIGN_NO_BUNDLE=1 gives stacks in dist/ files).
  minifyWhitespace: !process.env.BUNDLE_DEBUG,
  minifySyntax: !process.env.BUNDLE_DEBUG,
  keepNames: true,
  legalComments: 'none',
  metafile: true,
  // Only oclif's tsconfig reader (development mode) requires it.
  external: ['typescript'],
  logLevel: 'warning',
};
let result;
try {
  result = await build({ ...options, plugins: [oclifPlugin(true)] });
} catch (error) {
  // Some command imports more of '@oclif/core' than oclifSlim exports:
  // still bundle, through oclif's index (slower start), and say so.
  console.warn(
    `scripts/bundle.js: bundling with the whole of @oclif/core (${String(error.message).split('\n')[0]})`,
  );
  rmSync(staging, { recursive: true, force: true });
  result = await build({ ...options, plugins: [oclifPlugin(false)] });
} finally {
  rmSync(entries, { recursive: true, force: true });
}

// For each command: the build outputs (dist/*.js) its bundle was made from,
// following any chunk imports, so that src/cli/launch.ts can fall
// back to oclif when `tsc` ran after this script.
if (process.env.BUNDLE_METAFILE) {
  // For `npx esbuild --analyze`-style inspection of what each chunk holds.
  writeFileSync(process.env.BUNDLE_METAFILE, JSON.stringify(result.metafile));
}
const outputs = result.metafile.outputs;
const distInputs = (output) =>
  Object.keys(outputs[output].inputs).filter((i) =>
    resolve(root, i).startsWith(join(root, 'dist') + '/'),
  );
/**
 * Starts a bundle with a comment naming its content hash: src/cli/launch.ts
 * keys the code cache by it (V8 checks only the source length). Characters
 * outside ASCII (esbuild leaves some in regular expressions) become \u
 * escapes, so that the launcher can read the file as Latin-1: decoding a
 * megabyte of UTF-8 costs several milliseconds of every start.
 */
function tagBundle(file) {
  const source = readFileSync(file, 'utf8').replace(
    /[^\0-\x7f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  const tag = createHash('sha256').update(source).digest('hex').slice(0, 16);
  writeFileSync(file, `/* imgsign-bundle ${tag} */${source}`);
  return tag;
}

const commands = {};
for (const [output, meta] of Object.entries(outputs)) {
  const name = Object.keys(entryPoints).find(
    (n) => meta.entryPoint && resolve(root, meta.entryPoint) === entryPoints[n],
  );
  // Other entry points are chunks for dynamic imports (openpgp, ...).
  if (name === undefined) continue;
  const seen = new Set();
  const queue = [output];
  while (queue.length > 0) {
    const next = queue.pop();
    if (seen.has(next)) continue;
    seen.add(next);
    for (const imp of outputs[next].imports) {
      if (!imp.external) queue.push(imp.path);
    }
  }
  const inputs = new Set();
  for (const o of seen) for (const i of distInputs(o)) inputs.add(i);
  const holdsUndici = [...seen].some((o) =>
    Object.keys(outputs[o].inputs).some((i) =>
      i.startsWith('node_modules/undici/'),
    ),
  );
  const id = Object.keys(manifest.commands).find(
    (c) => c.replaceAll(':', '-') === name,
  );
  const command = manifest.commands[id];
  commands[id] = {
    file: relative(staging, resolve(root, output)),
    tag: tagBundle(resolve(root, output)),
    hasArgs:
      command.strict === false || Object.keys(command.args ?? {}).length > 0,
    inputs: [...inputs].map((i) => relative(root, resolve(root, i))).sort(),
    // the launcher sets V8's WebAssembly flag before loading such bundles
    wasm: holdsUndici,
  };
}

// The two single-file CommonJS builds below: openpgp.js and the launcher.
const singleFile = {
  outdir: staging,
  outExtension: { '.js': '.cjs' },
  absWorkingDir: root,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
};

// openpgp.js on its own, for the stand-in above (node's CommonJS build).
await build({
  ...singleFile,
  entryPoints: { openpgp: requireFromRoot.resolve('openpgp') },
  minifyWhitespace: !process.env.BUNDLE_DEBUG,
  minifySyntax: !process.env.BUNDLE_DEBUG,
  legalComments: 'none',
});
tagBundle(join(staging, 'openpgp.cjs'));

// The launcher bin/run.js requires: src/cli/launch.ts and the two small
// modules it imports, as CommonJS (oclif is only imported when a command
// goes through it).
const launcherBuild = await build({
  ...singleFile,
  entryPoints: { launch: join(root, 'dist/cli/launch.js') },
  external: ['@oclif/core'],
  metafile: true,
});
const launcher = {
  file: 'launch.cjs',
  tag: tagBundle(join(staging, 'launch.cjs')),
  hasArgs: false,
  inputs: Object.keys(launcherBuild.metafile.inputs)
    .filter((i) => resolve(root, i).startsWith(distDir))
    .map((i) => relative(root, resolve(root, i)))
    .sort(),
};
writeFileSync(
  join(staging, 'index.json'),
  `${JSON.stringify({ version: 1, builtAt, commands, launcher }, null, 1)}\n`,
);
mkdirSync(dirname(outdir), { recursive: true });
// Another build may swap its bundle in at the same time: retry until ours
// replaces whatever is there.
const old = `${outdir}.old-${process.pid}`;
for (let attempt = 0; ; attempt++) {
  rmSync(old, { recursive: true, force: true });
  try {
    renameSync(outdir, old);
  } catch {
    // first build, or another build just moved it away
  }
  try {
    renameSync(staging, outdir);
    break;
  } catch (error) {
    if (attempt >= 20) throw error;
  }
}
rmSync(old, { recursive: true, force: true });
