import yaml from 'js-yaml';
import { ImgsignError, describeError } from '../errors.js';

/**
 * One registries.d file (SPEC §4.1): a mapping with optional `default-docker`
 * and `docker: {SCOPE: SECTION}`. Unknown keys are ignored, as yaml.v3 does,
 * but reported; duplicate keys are YAML errors (js-yaml's default).
 */
export interface RegistriesSection {
  lookaside?: string;
  lookasideStaging?: string;
  /** Deprecated alias of `lookaside`. */
  sigstore?: string;
  /** Deprecated alias of `lookaside-staging`. */
  sigstoreStaging?: string;
  /** Parsed only: sigstore attachments are not supported by imgsign yet. */
  useSigstoreAttachments?: boolean;
}

export function formatError(message: string, cause?: unknown): ImgsignError {
  return new ImgsignError('REGISTRIES_D_FORMAT', message, { cause });
}

const sectionKeys: Record<string, keyof RegistriesSection> = {
  lookaside: 'lookaside',
  'lookaside-staging': 'lookasideStaging',
  sigstore: 'sigstore',
  'sigstore-staging': 'sigstoreStaging',
  'use-sigstore-attachments': 'useSigstoreAttachments',
};

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseSection(
  value: unknown,
  file: string,
  where: string,
  warnings: string[],
): RegistriesSection {
  if (value === null || value === undefined) return {};
  if (!isMapping(value)) {
    throw formatError(
      `${file}: ${where} must be a mapping of lookaside settings`,
    );
  }
  const section: RegistriesSection = {};
  for (const [key, v] of Object.entries(value)) {
    const field = sectionKeys[key];
    if (field === undefined) {
      warnings.push(`${file}: unknown key "${key}" in ${where} is ignored`);
      continue;
    }
    if (v === null) continue;
    if (field === 'useSigstoreAttachments') {
      if (typeof v !== 'boolean') {
        throw formatError(`${file}: ${where}.${key} must be true or false`);
      }
      section.useSigstoreAttachments = v;
    } else {
      if (typeof v !== 'string') {
        throw formatError(`${file}: ${where}.${key} must be a URL string`);
      }
      section[field] = v;
    }
  }
  return section;
}

export interface ParsedFile {
  defaultDocker?: RegistriesSection;
  docker: Map<string, RegistriesSection>;
}

/** Parse one registries.d file's text; errors name `file`. */
export function parseRegistriesFile(
  text: string,
  file: string,
  warnings: string[],
): ParsedFile {
  let doc: unknown;
  try {
    doc = yaml.load(text, { filename: file, schema: yaml.CORE_SCHEMA });
  } catch (err) {
    throw formatError(
      `parsing registries.d file ${file}: ${describeError(err)}`,
      err,
    );
  }
  const out: ParsedFile = { docker: new Map() };
  if (doc === null || doc === undefined) return out;
  if (!isMapping(doc)) {
    throw formatError(`${file}: the top level must be a mapping`);
  }
  for (const [key, value] of Object.entries(doc)) {
    if (key === 'default-docker') {
      if (value !== null)
        out.defaultDocker = parseSection(value, file, key, warnings);
    } else if (key === 'docker') {
      if (value === null) continue;
      if (!isMapping(value)) {
        throw formatError(`${file}: "docker" must be a mapping of scopes`);
      }
      for (const [scope, section] of Object.entries(value)) {
        out.docker.set(
          scope,
          parseSection(section, file, `docker scope "${scope}"`, warnings),
        );
      }
    } else {
      warnings.push(`${file}: unknown top-level key "${key}" is ignored`);
    }
  }
  return out;
}
