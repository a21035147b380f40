#!/usr/bin/env node
// CommonJS (bin/package.json says so): an ES module entry point would start
// node's ES module loader on every run, before any of our code. The work is
// src/cli/launch.ts, normally from its bundle (scripts/bundle.js); without
// bundles, from dist/.
'use strict';
const { join } = require('node:path');

const root = join(__dirname, '..');
const argv = process.argv.slice(2);
let bundled;
try {
  bundled = require('../dist/bundle/launch.cjs');
} catch {
  // not built by scripts/bundle.js: dist/ alone
}
const launching = bundled
  ? bundled.launch({ root, argv, bundled: true, require })
  : import('../dist/cli/launch.js').then(({ launch }) =>
      launch({ root, argv, bundled: false, require }),
    );
launching.catch((error) => {
  // Command errors never get here (oclif reports them): this is a broken
  // install or build. Exit 4 is "internal error" (README, exit codes).
  process.stderr.write(
    `imgsign: cannot start (run \`npm run build\` or reinstall): ${error.message}\n`,
  );
  process.exitCode = 4;
});
