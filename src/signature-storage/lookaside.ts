import { randomBytes } from 'node:crypto';
import {
  access,
  constants,
  link,
  mkdir,
  stat,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ImgsignError, describeError } from '../errors.js';
import {
  type DockerReference,
  referenceName,
} from '../reference/docker-reference.js';
import type { RegistriesConfig } from '../registries-d/load.js';
import {
  type LookasideLocation,
  type LookasideOperation,
  describeLocation,
  lookasideFor,
  lookasideRepositoryURL,
  lookasideSignatureURL,
} from '../registries-d/lookup.js';
import type { SystemContext } from '../system-context.js';
import {
  MAX_LOOKASIDE_SIGNATURES,
  httpGetSignature,
  readSignatureFile,
} from './bounded-read.js';
import type { SignatureStore } from './store.js';

export interface LookasideStoreOptions {
  config: RegistriesConfig;
  sys: SystemContext;
}

/**
 * registries.d lookaside storage (SPEC §4.3): read from file/http(s), write
 * to file only. Writes are append-only and safe under concurrency: each
 * signature is written whole to a temporary file, then hard-linked to the
 * first free `signature-N` (link() fails with EEXIST instead of replacing),
 * so concurrent writers never overwrite or lose one another's signatures.
 */
export class LookasideStore implements SignatureStore {
  readonly config: RegistriesConfig;
  readonly sys: SystemContext;

  constructor(options: LookasideStoreOptions) {
    this.config = options.config;
    this.sys = options.sys;
  }

  location(ref: DockerReference, operation: LookasideOperation) {
    return lookasideFor(this.config, ref, operation);
  }

  describe(ref: DockerReference, manifestDigest: string): string {
    const read = this.location(ref, 'read');
    const write = this.location(ref, 'write');
    const where = (l: LookasideLocation) => {
      try {
        const url = lookasideRepositoryURL(l, ref);
        return lookasideSignatureURL(url, manifestDigest, 1).href.replace(
          /\/signature-1$/,
          '/',
        );
      } catch {
        return l.url;
      }
    };
    const r = where(read);
    const w = where(write);
    return r === w ? `lookaside ${r}` : `lookaside ${r} (writes to ${w})`;
  }

  async read(ref: DockerReference, manifestDigest: string): Promise<Buffer[]> {
    const location = this.location(ref, 'read');
    const repoURL = lookasideRepositoryURL(location, ref);
    const out: Buffer[] = [];
    for (let n = 1; ; n++) {
      const url = lookasideSignatureURL(repoURL, manifestDigest, n);
      let sig: Buffer | null;
      try {
        sig =
          url.protocol === 'file:'
            ? await readSignatureFile(this.filePath(location, url))
            : await httpGetSignature(url, this.sys.dispatcher);
      } catch (err) {
        throw wrap(
          err,
          `reading signature-${n} for ${referenceName(ref)}@${manifestDigest}`,
        );
      }
      if (sig === null) return out;
      if (n > MAX_LOOKASIDE_SIGNATURES) {
        throw new ImgsignError(
          'INCONCLUSIVE',
          `lookaside ${repoURL.href} holds more than ${MAX_LOOKASIDE_SIGNATURES} signatures for ${manifestDigest}: assuming a server fault`,
        );
      }
      out.push(sig);
    }
  }

  async add(
    ref: DockerReference,
    manifestDigest: string,
    signatures: Buffer[],
  ): Promise<string[]> {
    const location = this.location(ref, 'write');
    const repoURL = this.writableRepositoryURL(location, ref);
    const pathOf = (n: number) =>
      this.filePath(
        location,
        lookasideSignatureURL(repoURL, manifestDigest, n),
      );
    const dir = dirname(pathOf(1));
    try {
      await mkdir(dir, { recursive: true, mode: 0o755 });
    } catch (err) {
      throw this.unwritable(location, dir, err);
    }
    const existing: Buffer[] = [];
    for (let n = 1; ; n++) {
      const sig = await readSignatureFile(pathOf(n));
      if (sig === null) break;
      existing.push(sig);
    }
    const written: string[] = [];
    let next = existing.length + 1;
    for (const sig of signatures) {
      if (existing.some((e) => e.equals(sig))) continue;
      const tmp = join(dir, `.tmp-signature-${randomBytes(8).toString('hex')}`);
      try {
        await writeFile(tmp, sig, { flag: 'wx', mode: 0o644 });
      } catch (err) {
        throw this.unwritable(location, dir, err);
      }
      try {
        for (;;) {
          if (next > MAX_LOOKASIDE_SIGNATURES) {
            throw new ImgsignError(
              'UNSUPPORTED',
              `${dir} already holds ${MAX_LOOKASIDE_SIGNATURES} signatures: readers would reject more`,
            );
          }
          const target = pathOf(next);
          try {
            await link(tmp, target);
            written.push(
              lookasideSignatureURL(repoURL, manifestDigest, next).href,
            );
            break;
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
              throw this.unwritable(location, target, err);
            }
            // Another writer took this index; skip it unless it holds our bytes.
            const other = await readSignatureFile(target);
            if (other !== null && other.equals(sig)) break;
            next++;
          }
        }
      } finally {
        await unlink(tmp).catch(() => undefined);
      }
      existing.push(sig);
      next++;
    }
    return written;
  }

  async assertWritable(ref: DockerReference): Promise<void> {
    const location = this.location(ref, 'write');
    const repoURL = this.writableRepositoryURL(location, ref);
    const probe = lookasideSignatureURL(repoURL, `sha256:${'0'.repeat(64)}`, 1);
    // The nearest existing ancestor of the signature directory must be a
    // directory we may create entries in.
    let dir = dirname(this.filePath(location, probe));
    for (;;) {
      try {
        const st = await stat(dir);
        if (!st.isDirectory()) {
          throw Object.assign(new Error(`${dir} is not a directory`), {
            code: 'ENOTDIR',
          });
        }
        await access(dir, constants.W_OK | constants.X_OK);
        return;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        const parent = dirname(dir);
        if (code === 'ENOENT' && parent !== dir) {
          dir = parent;
          continue;
        }
        throw this.unwritable(location, dir, err);
      }
    }
  }

  private writableRepositoryURL(
    location: LookasideLocation,
    ref: DockerReference,
  ): URL {
    const repoURL = lookasideRepositoryURL(location, ref);
    if (repoURL.protocol !== 'file:') {
      throw new ImgsignError(
        'UNSUPPORTED',
        `cannot write signatures to ${describeLocation(location)}: only file: lookasides can be written. Configure a lookaside-staging with a file: URL for that scope`,
      );
    }
    return repoURL;
  }

  /** The local path of a file: signature URL, checked to stay under the configured base. */
  private filePath(location: LookasideLocation, url: URL): string {
    let base: string;
    let path: string;
    try {
      base = fileURLToPath(new URL(location.url));
      path = fileURLToPath(url);
    } catch (err) {
      throw new ImgsignError(
        'REGISTRIES_D_FORMAT',
        `invalid file: lookaside URL (${describeLocation(location)}): ${describeError(err)}`,
        { cause: err },
      );
    }
    const rel = relative(base, path);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
      throw new ImgsignError(
        'UNSAFE_PATH',
        `signature path ${path} would leave the lookaside directory ${base}`,
      );
    }
    return path;
  }

  private unwritable(
    location: LookasideLocation,
    path: string,
    err: unknown,
  ): ImgsignError {
    const origin = location.builtIn
      ? `${describeLocation(location)} (no registries.d section in ${this.config.dir} applies)`
      : describeLocation(location);
    return new ImgsignError(
      'INCONCLUSIVE',
      `cannot write signatures to ${path}: ${describeError(err)}; the location comes from ${origin}. Use --registries.d DIR with a file: lookaside-staging you can write (or fix the permissions)`,
      { cause: err },
    );
  }
}

/** Chain context onto an error, keeping its code (withContext() mis-builds subclasses). */
function wrap(err: unknown, context: string): ImgsignError {
  const code = err instanceof ImgsignError ? err.code : 'INCONCLUSIVE';
  return new ImgsignError(code, `${context}: ${describeError(err)}`, {
    cause: err,
  });
}
