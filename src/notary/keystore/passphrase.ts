import { ImgsignError } from '../../errors.js';

/**
 * How the key store asks for passphrases, like notary's PassRetriever. The
 * CLI (src/cli/trust-env.ts) answers from DOCKER_CONTENT_TRUST_*_PASSPHRASE
 * or a terminal prompt; tests pass a constant.
 */
export interface PassphraseRequest {
  /** Key ID of the key, or '' when decrypting a file being imported. */
  keyId: string;
  /** Role of the key (`root`, `targets`, a signer name) or `encrypted` for an imported file. */
  role: string;
  /** A new passphrase for a key being written (prompts ask twice). */
  createNew: boolean;
  /** 0 on the first call for this key, then 1, 2, … after wrong passphrases. */
  attempt: number;
}

/** Returns a passphrase, or throws (ImgsignError PASSPHRASE) to give up. */
export type PassphraseRetriever = (req: PassphraseRequest) => Promise<string>;

/** Notary stops asking after this many wrong passphrases at the latest. */
export const MAX_PASSPHRASE_ATTEMPTS = 10;

/** A retriever that always answers `passphrase` and gives up after it was wrong `tries` times. */
export function fixedPassphrase(
  passphrase: string,
  tries = 1,
): PassphraseRetriever {
  return (req) => {
    if (req.attempt >= tries) {
      return Promise.reject(
        new ImgsignError(
          'PASSPHRASE',
          `giving up after ${tries} wrong passphrase${tries === 1 ? '' : 's'}`,
        ),
      );
    }
    return Promise.resolve(passphrase);
  };
}

/**
 * Run `attempt(passphrase)` with passphrases from `retriever` until it does
 * not fail with a PASSPHRASE error, the retriever gives up, or
 * MAX_PASSPHRASE_ATTEMPTS is reached.
 */
export async function withPassphrase<T>(
  retriever: PassphraseRetriever,
  request: Omit<PassphraseRequest, 'attempt'>,
  attempt: (passphrase: string) => T,
): Promise<T> {
  let last: ImgsignError | undefined;
  for (let n = 0; n < MAX_PASSPHRASE_ATTEMPTS; n++) {
    let passphrase: string;
    try {
      passphrase = await retriever({ ...request, attempt: n });
    } catch (err) {
      // Giving up after a wrong passphrase: say what failed and why we stopped.
      if (last && err instanceof ImgsignError) {
        throw new ImgsignError(
          'PASSPHRASE',
          `${last.message}; ${err.message}`,
          {
            cause: last,
          },
        );
      }
      throw err;
    }
    try {
      return attempt(passphrase);
    } catch (err) {
      if (!(err instanceof ImgsignError) || err.code !== 'PASSPHRASE')
        throw err;
      last = err;
    }
  }
  throw new ImgsignError(
    'PASSPHRASE',
    `${last?.message ?? 'wrong passphrase'}; gave up after ${MAX_PASSPHRASE_ATTEMPTS} attempts`,
    { cause: last },
  );
}
