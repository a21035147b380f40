/**
 * skopeo's GLOBAL options go before the command
 * (`skopeo --registries.d . --insecure-policy copy …`, as the IBM Cloud and
 * Red Hat guides show); imgsign's commands take them as their own flags.
 * normalizeGlobalArgv() moves the ones imgsign knows from before the
 * command to after it (before any `--`), so both orders work. Anything else
 * before the command (`--help`, `--version`, unknown options) is left in
 * place for oclif to handle.
 */

/** skopeo global options imgsign understands: name → whether it takes a value. */
export const SKOPEO_GLOBAL_FLAGS: ReadonlyMap<string, boolean> = new Map([
  ['policy', true],
  ['registries.d', true],
  ['insecure-policy', false],
  ['override-arch', true],
  ['override-os', true],
  ['override-variant', true],
]);

/** Accepted before the command for compatibility, and dropped (no effect in imgsign). */
const IGNORED_GLOBAL_FLAGS: ReadonlyMap<string, boolean> = new Map([
  ['debug', false],
]);

function globalFlag(
  arg: string,
):
  | { name: string; takesValue: boolean; inline: boolean; ignored: boolean }
  | undefined {
  const m = /^--([^=]+)(=.*)?$/s.exec(arg);
  const name = m?.[1];
  if (!m || name === undefined) return undefined;
  const known = SKOPEO_GLOBAL_FLAGS.get(name);
  const ignored = IGNORED_GLOBAL_FLAGS.get(name);
  const takesValue = known ?? ignored;
  if (takesValue === undefined) return undefined;
  return {
    name,
    takesValue,
    inline: m[2] !== undefined,
    ignored: known === undefined,
  };
}

/** `argv` (without node and script) with leading skopeo global options moved after the command. */
export function normalizeGlobalArgv(argv: readonly string[]): string[] {
  const moved: string[] = [];
  let i = 0;
  while (i < argv.length) {
    const arg = argv[i]!;
    const flag = globalFlag(arg);
    if (!flag) break;
    const needsNext = flag.takesValue && !flag.inline;
    if (needsNext && i + 1 >= argv.length) break; // oclif reports the missing value
    const tokens = needsNext ? [arg, argv[i + 1]!] : [arg];
    if (!flag.ignored) moved.push(...tokens);
    i += tokens.length;
  }
  if (i === 0) return [...argv];
  const rest = argv.slice(i);
  const end = rest.indexOf('--');
  return end < 0
    ? [...rest, ...moved]
    : [...rest.slice(0, end), ...moved, ...rest.slice(end)];
}
