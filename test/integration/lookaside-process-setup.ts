import { execFile } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../helpers/paths.js';

/*
 * Shared set-up of the tests that run the lookaside store in separate
 * processes (lookaside-concurrent-writers, lookaside-unprivileged); not a
 * test file itself.
 */

const run = promisify(execFile);

/**
 * Compiles src/signature-storage/lookaside.ts and what it imports into
 * `work/lib` (so these tests do not depend on dist/), and makes `work` an
 * ESM package that finds the project's node_modules. Returns the path of a
 * script, `work/name`, that starts by importing loadRegistriesConfig,
 * LookasideStore and parseNormalizedNamed, followed by `body`.
 */
export async function lookasideScript(
  work: string,
  name: string,
  body: string,
): Promise<string> {
  await run(process.execPath, [
    join(repoRoot, 'node_modules/typescript/bin/tsc'),
    '--module',
    'nodenext',
    '--moduleResolution',
    'nodenext',
    '--target',
    'es2022',
    '--skipLibCheck',
    '--types',
    'node',
    '--rootDir',
    join(repoRoot, 'src'),
    '--outDir',
    join(work, 'lib'),
    join(repoRoot, 'src/signature-storage/lookaside.ts'),
  ]);
  await symlink(join(repoRoot, 'node_modules'), join(work, 'node_modules'));
  await writeFile(join(work, 'package.json'), '{"type":"module"}');
  const script = join(work, name);
  await writeFile(
    script,
    `import { loadRegistriesConfig } from './lib/registries-d/load.js';
import { LookasideStore } from './lib/signature-storage/lookaside.js';
import { parseNormalizedNamed } from './lib/reference/docker-reference.js';
${body}`,
  );
  return script;
}

/** A registries.d directory at `dir` whose `file` names `url` as the default-docker lookaside. */
export async function defaultLookasideConfig(
  dir: string,
  url: string,
  file = 'a.yaml',
): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, file), `default-docker:\n  lookaside: ${url}\n`);
  return dir;
}
