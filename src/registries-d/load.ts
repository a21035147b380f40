import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describeError } from '../errors.js';
import type { SystemContext } from '../system-context.js';
import {
  type ParsedFile,
  type RegistriesSection,
  formatError,
  parseRegistriesFile,
} from './parse.js';

export type { RegistriesSection } from './parse.js';
export { parseRegistriesFile } from './parse.js';

/**
 * registries.d: where simple signatures live for docker images (SPEC §4.1).
 * Every `*.yaml` file of one directory is merged; any overlap between files
 * is an error naming both, as containers/image does. Unknown keys are ignored
 * (yaml.v3 is not strict) but reported in `warnings`.
 */

/** A section and the file that defined it, for messages. */
export interface ConfiguredSection {
  section: RegistriesSection;
  file: string;
}

export type RegistriesDirSource = 'flag' | 'user' | 'system' | 'shipped';

export interface RegistriesConfig {
  /** The directory that was read (it may not exist: then the configuration is empty). */
  dir: string;
  dirSource: RegistriesDirSource;
  defaultDocker?: ConfiguredSection;
  /** Scope (as written in the file) → section. */
  docker: Map<string, ConfiguredSection>;
  /** Built-in lookaside used when no section applies (file: URL, SPEC §4.2). */
  builtInLookaside: string;
  /** Ignored keys and other non-fatal remarks, one line each. */
  warnings: string[];
}

export const SYSTEM_REGISTRIES_DIR = '/etc/containers/registries.d';

/** This package's root (dist/registries-d/ or src/registries-d/ → ../..). */
const ownPackageRoot = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../..',
);

export interface ResolveRegistriesDirOptions {
  /** `--registries.d DIR`. */
  flag?: string;
  homeDir?: string;
  packageRoot?: string;
  /** Overrides /etc/containers/registries.d (tests). */
  systemDir?: string;
}

/** SPEC §4.1 directory choice, plus our shipped default as the last resort. */
export function resolveRegistriesDirWithSource(
  options: ResolveRegistriesDirOptions,
): { dir: string; source: RegistriesDirSource } {
  if (options.flag !== undefined) return { dir: options.flag, source: 'flag' };
  if (options.homeDir !== undefined) {
    const user = join(options.homeDir, '.config/containers/registries.d');
    if (existsSync(user)) return { dir: user, source: 'user' };
  }
  const system = options.systemDir ?? SYSTEM_REGISTRIES_DIR;
  if (existsSync(system)) return { dir: system, source: 'system' };
  return {
    dir: join(options.packageRoot ?? ownPackageRoot, 'registries.d'),
    source: 'shipped',
  };
}

export function resolveRegistriesDir(
  options: ResolveRegistriesDirOptions,
): string {
  return resolveRegistriesDirWithSource(options).dir;
}

/** The built-in lookaside of containers/image (SPEC §4.2). */
export function builtInLookasideURL(options: {
  isRoot?: boolean;
  homeDir?: string;
}): string {
  if (options.isRoot === true || options.homeDir === undefined) {
    return 'file:///var/lib/containers/sigstore';
  }
  const base = resolve(options.homeDir, '.local/share/containers/sigstore');
  return pathToFileURL(base).href;
}

export interface LoadRegistriesOptions {
  dirSource?: RegistriesDirSource;
  isRoot?: boolean;
  homeDir?: string;
}

/** Read and merge every `*.yaml` in `dir` (a missing directory is an empty configuration). */
export async function loadRegistriesConfig(
  dir: string,
  options: LoadRegistriesOptions = {},
): Promise<RegistriesConfig> {
  const config: RegistriesConfig = {
    dir,
    dirSource: options.dirSource ?? 'flag',
    docker: new Map(),
    builtInLookaside: builtInLookasideURL(options),
    warnings: [],
  };
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return config;
    throw formatError(
      `reading registries.d directory ${dir}: ${describeError(err)}`,
      err,
    );
  }
  for (const name of names.filter((n) => n.endsWith('.yaml')).sort()) {
    const file = join(dir, name);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      // Removed between listing and reading: containers/image ignores that race.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw formatError(
        `reading registries.d file ${file}: ${describeError(err)}`,
        err,
      );
    }
    mergeFile(config, parseRegistriesFile(text, file, config.warnings), file);
  }
  return config;
}

function mergeFile(
  config: RegistriesConfig,
  parsed: ParsedFile,
  file: string,
): void {
  if (parsed.defaultDocker !== undefined) {
    if (config.defaultDocker !== undefined) {
      throw formatError(
        `"default-docker" is defined both in ${config.defaultDocker.file} and in ${file}: keep only one`,
      );
    }
    config.defaultDocker = { section: parsed.defaultDocker, file };
  }
  for (const [scope, section] of parsed.docker) {
    const previous = config.docker.get(scope);
    if (previous !== undefined) {
      throw formatError(
        `docker scope "${scope}" is defined both in ${previous.file} and in ${file}: keep only one`,
      );
    }
    config.docker.set(scope, { section, file });
  }
}

/** Resolve the directory from a SystemContext (`registriesDirPath`, `homeDir`, `packageRoot`) and load it. */
export async function loadRegistriesConfigFor(
  sys: SystemContext,
): Promise<RegistriesConfig> {
  const { dir, source } = resolveRegistriesDirWithSource({
    ...(sys.registriesDirPath !== undefined
      ? { flag: sys.registriesDirPath }
      : {}),
    ...(sys.homeDir !== undefined ? { homeDir: sys.homeDir } : {}),
    ...(sys.packageRoot !== undefined ? { packageRoot: sys.packageRoot } : {}),
  });
  return loadRegistriesConfig(dir, {
    dirSource: source,
    ...(sys.isRoot !== undefined ? { isRoot: sys.isRoot } : {}),
    ...(sys.homeDir !== undefined ? { homeDir: sys.homeDir } : {}),
  });
}
