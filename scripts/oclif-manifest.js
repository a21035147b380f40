#!/usr/bin/env node
// Writes oclif.manifest.json after the build, as `oclif manifest` would, so
// that start-up loads only the command being run instead of every command.
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Plugin } from '@oclif/core';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const plugin = new Plugin({
  root,
  type: 'core',
  ignoreManifest: true,
  errorOnManifestCreate: true,
  respectNoCacheDefault: true,
});
await plugin.load();
writeFileSync(
  join(root, 'oclif.manifest.json'),
  `${JSON.stringify(plugin.manifest, null, 2)}\n`,
);
