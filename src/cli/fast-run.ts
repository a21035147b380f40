import { Errors, flush, type Command, type Config } from '@oclif/core';
import {
  onStdoutError,
  stdioStreamMade,
  watchStdio,
  whenStdoutMade,
} from './stdio.js';

/** What the bundled start-up path knows about the CLI: package.json's fields. */
export interface FastRunPackage {
  name: string;
  version: string;
  oclif: { bin?: string };
}

type CommandClass = (new (argv: string[], config: Config) => Command) & {
  id?: string;
};

/**
 * The parts of oclif's Config that a command uses while it runs (user agent,
 * scoped env vars, hooks, theme). imgsign has no hooks, themes or deprecated
 * aliases, so this stands in for Config.load(), which reads every plugin's
 * package.json and manifest. Help, topics and unknown commands never come
 * here: src/cli/dispatch.ts sends them to oclif.
 */
function lightConfig(pkg: FastRunPackage): Config {
  const bin = pkg.oclif.bin ?? pkg.name;
  const scopedEnvVarKey = (k: string) =>
    [bin, k]
      .map((p) => p.replaceAll('@', '').replaceAll(/[/-]/g, '_'))
      .join('_')
      .toUpperCase();
  const scopedEnvVar = (k: string) => process.env[scopedEnvVarKey(k)];
  const config = {
    bin,
    name: pkg.name,
    version: pkg.version,
    pjson: pkg,
    // ':' keeps oclif's argv normalisation (deprecation warnings only) from
    // needing the command list; dispatch.ts already collated the id.
    topicSeparator: ':',
    userAgent: `${pkg.name}/${pkg.version} ${process.platform}-${process.arch} node-${process.version}`,
    theme: undefined,
    scopedEnvVarKey,
    scopedEnvVarKeys: (k: string) => [scopedEnvVarKey(k)],
    scopedEnvVar,
    scopedEnvVarTrue: (k: string) =>
      ['1', 'true'].includes(scopedEnvVar(k) ?? ''),
    runHook: () => Promise.resolve({ successes: [], failures: [] }),
  };
  return config as unknown as Config;
}

/**
 * Run one command class as oclif's execute() would (same parsing, error
 * handling and exit codes), without loading oclif's Config or plugins.
 */
export async function runBundledCommand(
  CommandClass: CommandClass,
  id: string,
  argv: string[],
  pkg: FastRunPackage,
): Promise<void> {
  CommandClass.id = id;
  watchStdio();
  // What oclif's command module does when it loads (scripts/bundle.js
  // defers it), without a stack trace for errors other than EPIPE.
  whenStdoutMade((stdout) => stdout.on('error', onStdoutError));
  const command = new CommandClass(argv, lightConfig(pkg));
  try {
    // oclif's Command.run() minus Config.load(); `_run` is public in JS.
    await (command as unknown as { _run(): Promise<unknown> })._run();
    // Output written without the stream (src/cli/stdio.ts) is already out.
    if (stdioStreamMade('stdout')) await flush();
  } catch (error) {
    // As execute() does: print unless it is an exit, then process.exit().
    await Errors.handle(error as Error);
  }
}
