/**
 * `trust inspect` for one image argument (SPEC §7.12): open the Notary
 * repository, update and verify its trust data, and compute what docker
 * shows — restricted to the tag when the argument has one. Failures carry
 * docker's wording, `no signatures or cannot access <image>`, with the
 * reason after it.
 */
import { describeError, ImgsignError, TrustError } from '../errors.js';
import { parseNormalizedNamed } from '../reference/docker-reference.js';
import { restrictToTag } from './inspect-format.js';
import {
  openNotaryRepository,
  readTrustedRepository,
  type NotaryRepositoryOptions,
  type ReadTrustedOptions,
} from './repository.js';
import { inspectTrustData, type TrustInspection } from './tuf/inspect-data.js';

export type TrustInspectOptions = Omit<NotaryRepositoryOptions, 'reference'> &
  ReadTrustedOptions;

/** The inspection of `image` (as typed, e.g. `busybox:latest`). */
export async function inspectImageTrust(
  image: string,
  o: TrustInspectOptions,
): Promise<TrustInspection> {
  const reference = parseNormalizedNamed(image);
  const repo = await openNotaryRepository({ ...o, reference });
  try {
    const trusted = await readTrustedRepository(repo, o);
    const data = inspectTrustData(trusted.root.signed, trusted.verified);
    // A digest reference inspects every tag, as docker does.
    return restrictToTag(
      data,
      reference.digest === undefined ? reference.tag : undefined,
    );
  } catch (err) {
    const why = describeError(err);
    const message = `no signatures or cannot access ${image}: ${why}`;
    if (err instanceof ImgsignError && err.code !== 'TRUST') {
      throw new ImgsignError(err.code, message, { cause: err });
    }
    throw new TrustError(
      err instanceof TrustError ? err.failure : 'not-found',
      message,
      { cause: err },
    );
  } finally {
    await repo.close();
  }
}
