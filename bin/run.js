#!/usr/bin/env node
// Start-up is part of the product (issue 2 §6): `--version` loads nothing,
// and a command runs from its bundle in dist/bundle/ (scripts/bundle.js)
// without oclif's Config and plugin loading. Help, topics, unknown commands,
// a missing or stale bundle, or IMGSIGN_NO_BUNDLE=1 go through oclif itself.
import { readFileSync, statSync } from 'node:fs';

const argv = process.argv.slice(2);
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
    // Stacks name src/*.ts lines rather than minified bundle columns.
    process.setSourceMapsEnabled(true);
    process.stderr.write(
      `imgsign: start-up from dist/bundle/${route.command.file}\n`,
    );
  }
  const bundle = await import(
    new URL(`../dist/bundle/${route.command.file}`, import.meta.url).href
  );
  await bundle.runBundledCommand(
    bundle.default,
    route.id,
    route.argv,
    readJson('../package.json'),
  );
  return true;
}
