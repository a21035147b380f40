import { readFileSync } from 'node:fs';

/**
 * The `optional.creator` imgsign writes into signatures (SPEC §1.1):
 * `imgsign <version>`, the version read once from our package.json.
 */
let cached: string | undefined;

export function defaultCreator(): string {
  if (cached !== undefined) return cached;
  let version = 'unknown';
  // src/signature/ when run from source, dist/src/signature/ when built.
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(
        readFileSync(new URL(rel, import.meta.url), 'utf8'),
      ) as { name?: unknown; version?: unknown };
      if (pkg.name === 'imgsign' && typeof pkg.version === 'string') {
        version = pkg.version;
        break;
      }
    } catch {
      // try the next candidate
    }
  }
  cached = `imgsign ${version}`;
  return cached;
}
