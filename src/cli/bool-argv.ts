import { usageError } from '../errors.js';

/** Go strconv.ParseBool, which skopeo's `--flag=value` form goes through. */
function parseGoBool(flag: string, value: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  throw usageError(
    `invalid value "${value}" for --${flag}: expected true or false`,
  );
}

/**
 * Rewrite skopeo's boolean `--flag=true|false` into what oclif parses:
 * `--flag` or `--no-flag` (flags in `negatable`, i.e. declared with
 * `allowNo`), or nothing for a false non-negatable flag (its default).
 * Arguments after `--` are left alone.
 */
export function normalizeBooleanArgv(
  argv: readonly string[],
  booleans: readonly string[],
  negatable: readonly string[],
): string[] {
  const out: string[] = [];
  let rest = false;
  for (const arg of argv) {
    if (rest || arg === '--') {
      rest = true;
      out.push(arg);
      continue;
    }
    const m = /^--([^=]+)=(.*)$/s.exec(arg);
    const name = m?.[1];
    if (!m || name === undefined || !booleans.includes(name)) {
      out.push(arg);
      continue;
    }
    if (parseGoBool(name, m[2] ?? '')) out.push(`--${name}`);
    else if (negatable.includes(name)) out.push(`--no-${name}`);
  }
  return out;
}
