import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BundleIndex } from '../../../src/cli/dispatch.js';
import { launch } from '../../../src/cli/launch.js';
import { tempDir } from '../../helpers/paths.js';

// launch() in-process over a made-up package root: which code it runs for
// an argv, given dist/bundle/index.json and the build outputs' mtimes.
// test/cli/startup.test.ts runs the real bin/run.js end to end.

type Ran = { from: string; args: unknown[] };
// what bin/run.js passes: its own require
const require = createRequire(import.meta.url);
const ran = () => (globalThis as { __launchTest?: Ran[] }).__launchTest ?? [];
const argvBefore = [...process.argv];
afterEach(() => {
  process.argv.splice(0, Infinity, ...argvBefore);
  delete (globalThis as { __launchTest?: Ran[] }).__launchTest;
  vi.restoreAllMocks();
});

const recorder = (from: string) =>
  `(globalThis.__launchTest ??= []).push({ from: ${JSON.stringify(from)}, args: [...arguments] });`;

/** A package root whose launcher inputs are `builtAt` old, with one bundled command `hello`. */
async function packageRoot(
  bundleSource = `exports.default = 'HelloCommand';
exports.runBundledCommand = async function () { ${recorder('bundle')} };`,
): Promise<string> {
  const root = await tempDir();
  await mkdir(join(root, 'dist/bundle'), { recursive: true });
  await mkdir(join(root, 'dist/cli'), { recursive: true });
  await writeFile(
    join(root, 'package.json'),
    JSON.stringify({ name: 'imgsign', version: '9.9.9', oclif: {} }),
  );
  await writeFile(
    join(root, 'dist/cli/launch.js'),
    `export async function launch() { ${recorder('dist')} }\n`,
  );
  await writeFile(join(root, 'dist/bundle/hello.cjs'), bundleSource);
  const builtAt = Date.now() + 60_000;
  const index: BundleIndex = {
    version: 1,
    builtAt,
    commands: {
      hello: {
        file: 'hello.cjs',
        hasArgs: true,
        inputs: ['dist/cli/launch.js'],
        wasm: false,
      },
    },
    launcher: {
      file: 'launch.cjs',
      hasArgs: false,
      inputs: ['dist/cli/launch.js'],
    },
  };
  await writeFile(join(root, 'dist/bundle/index.json'), JSON.stringify(index));
  return root;
}

describe('launch', () => {
  it('runs a bundled command from its bundle with the argv after its id', async () => {
    const root = await packageRoot();
    await launch({
      root,
      argv: ['hello', 'world', '--json'],
      bundled: true,
      require,
    });
    expect(ran()).toEqual([
      {
        from: 'bundle',
        args: [
          'HelloCommand',
          'hello',
          ['world', '--json'],
          { name: 'imgsign', version: '9.9.9', oclif: {} },
        ],
      },
    ]);
  });

  it('moves skopeo global options after the command before routing', async () => {
    const root = await packageRoot();
    await launch({
      root,
      argv: ['--policy', 'p.json', 'hello', 'x'],
      bundled: true,
      require,
    });
    expect(ran()[0]?.args[2]).toEqual(['x', '--policy', 'p.json']);
    expect(process.argv.slice(2)).toEqual(['hello', 'x', '--policy', 'p.json']);
  });

  it('hands over to dist/cli/launch.js when a tsc run made the launcher bundle stale', async () => {
    const root = await packageRoot();
    const later = new Date(Date.now() + 120_000);
    await utimes(join(root, 'dist/cli/launch.js'), later, later);
    await launch({ root, argv: ['hello'], bundled: true, require });
    expect(ran()).toEqual([
      {
        from: 'dist',
        args: [{ root, argv: ['hello'], bundled: false, require }],
      },
    ]);
  });

  it('prints the version from package.json without loading any bundle', async () => {
    const root = await packageRoot();
    const write = vi
      .spyOn(process.stdout, 'write')
      .mockImplementation(() => true);
    await launch({ root, argv: ['--version'], bundled: true, require });
    expect(write).toHaveBeenCalledWith(
      `imgsign/9.9.9 node-${process.version}\n`,
    );
    expect(ran()).toEqual([]);
  });
});
