import { describeError } from '../errors.js';
import {
  type DockerReference,
  referenceString,
} from '../reference/docker-reference.js';
import type { RegistriesConfig, RegistriesDirSource } from './load.js';
import {
  type LookasideOperation,
  lookasideFor,
  lookasideRepositoryURL,
  lookasideSignatureURL,
  sigstoreAttachmentsFor,
} from './lookup.js';

/** Where one operation's signatures go, for `imgsign registries-d show`. */
export interface LookasideExplanation {
  /** Base URL as configured. */
  url: string;
  /** `docker` scope, `default-docker`, or `""` for the built-in default. */
  scope: string;
  file?: string;
  key: string;
  builtIn: boolean;
  /** `<base>/<path>` (plus `@algo=hex/signature-N` when the image has a digest). */
  location?: string;
  /** Why this URL cannot be used (bad URL, or not writable because not file:). */
  error?: string;
}

export interface RegistriesDExplanation {
  image: string;
  directory: string;
  directorySource: RegistriesDirSource;
  read: LookasideExplanation;
  write: LookasideExplanation;
  sigstoreAttachments?: {
    enabled: boolean;
    scope: string;
    file: string;
    supported: false;
  };
  warnings: string[];
}

function explainOperation(
  config: RegistriesConfig,
  ref: DockerReference,
  operation: LookasideOperation,
): LookasideExplanation {
  const loc = lookasideFor(config, ref, operation);
  const out: LookasideExplanation = {
    url: loc.url,
    scope: loc.scope,
    ...(loc.file !== undefined ? { file: loc.file } : {}),
    key: loc.key,
    builtIn: loc.builtIn,
  };
  try {
    const repo = lookasideRepositoryURL(loc, ref);
    out.location =
      ref.digest !== undefined
        ? lookasideSignatureURL(repo, ref.digest, 1).href.replace(
            /signature-1$/,
            'signature-N',
          )
        : `${repo.href}@<algo>=<hex>/signature-N`;
    if (operation === 'write' && repo.protocol !== 'file:') {
      out.error = `${repo.protocol} lookasides cannot be written: configure a file: lookaside-staging`;
    }
  } catch (err) {
    out.error = describeError(err);
  }
  return out;
}

/** Which registries.d directory, file and scope apply to `ref`, and where its signatures are read and written. */
export function explainRegistriesD(
  config: RegistriesConfig,
  ref: DockerReference,
): RegistriesDExplanation {
  const attachments = sigstoreAttachmentsFor(config, ref);
  return {
    image: referenceString(ref),
    directory: config.dir,
    directorySource: config.dirSource,
    read: explainOperation(config, ref, 'read'),
    write: explainOperation(config, ref, 'write'),
    ...(attachments !== undefined
      ? { sigstoreAttachments: { ...attachments, supported: false as const } }
      : {}),
    warnings: [...config.warnings],
  };
}
