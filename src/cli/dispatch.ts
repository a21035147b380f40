/**
 * Start-up routing for src/cli/launch.ts: decides, from argv alone, whether a
 * command can run from its pre-built bundle (dist/bundle/, made by
 * scripts/bundle.js) instead of through oclif's full Config and plugin
 * loading. Anything else (help, topics, unknown commands, `help X`) goes to
 * oclif unchanged, so what users see there is oclif's own behaviour.
 *
 * This module must stay free of imports: it is loaded on every start.
 */

/** One bundled command, as scripts/bundle.js records it in dist/bundle/index.json. */
export interface BundledCommand {
  /** Bundle file, relative to dist/bundle/. */
  file: string;
  /** Content hash the bundle starts with; names its code cache. */
  tag?: string;
  /** Whether the command takes arguments or is not strict (oclif's `hasArgs` in id collation). */
  hasArgs: boolean;
  /** Build outputs (relative to the package root) the bundle was made from. */
  inputs: string[];
  /** Whether the bundle holds undici (WebAssembly); absent in older indexes. */
  wasm?: boolean;
}

export interface BundleIndex {
  version: 1;
  /** When the bundles were written (ms since the epoch). */
  builtAt: number;
  commands: Record<string, BundledCommand>;
  /** dist/bundle/launch.cjs, which bin/run.js loads (src/cli/launch.ts). */
  launcher?: BundledCommand;
}

export interface FastRoute {
  id: string;
  command: BundledCommand;
  /** argv after the command id. */
  argv: string[];
}

/**
 * The command argv names the way oclif (topicSeparator ' ') would collate it,
 * or undefined when oclif must handle argv: no arguments, `--help` before
 * `--`, a topic, or anything that is not exactly a bundled command.
 */
export function routeArgv(
  argv: readonly string[],
  index: BundleIndex,
): FastRoute | undefined {
  if (argv.length === 0) return undefined;
  for (const arg of argv) {
    if (arg === '--') break;
    if (arg === '--help') return undefined;
  }
  const id = collateId(argv, index);
  const command = Object.hasOwn(index.commands, id)
    ? index.commands[id]
    : undefined;
  if (!command) return undefined;
  const consumed = argv[0]?.includes(':') ? 1 : id.split(':').length;
  return { id, command, argv: argv.slice(consumed) };
}

/** oclif's collateSpacedCmdIDFromArgs, over the bundle index instead of a loaded Config. */
function collateId(argv: readonly string[], index: BundleIndex): string {
  const first = argv[0] ?? '';
  if (argv.length === 1 || first.includes(':')) return first;
  const usable = new Set<string>();
  for (const id of Object.keys(index.commands)) {
    const parts = id.split(':');
    for (let i = 1; i <= parts.length; i++) {
      usable.add(parts.slice(0, i).join(':'));
    }
  }
  const final: string[] = [];
  const join = (next?: string) =>
    (next ? [...final, next] : final).filter(Boolean).join(':');
  for (const arg of argv) {
    if (usable.has(join(arg))) {
      final.push(arg);
      continue;
    }
    const current = join();
    const hasArgs =
      current !== '' &&
      Object.hasOwn(index.commands, current) &&
      index.commands[current]?.hasArgs === true;
    if (arg.includes('=') || arg.startsWith('-') || hasArgs) break;
    final.push(arg);
  }
  return join() || first;
}

/** Whether a build output is newer than the bundles (a `tsc` run without `npm run build`). */
export function isStale(
  command: BundledCommand,
  builtAt: number,
  mtimeOf: (path: string) => number | undefined,
): boolean {
  return command.inputs.some((input) => {
    const mtime = mtimeOf(input);
    return mtime === undefined || mtime > builtAt;
  });
}
