import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import {
  describeError,
  InconclusiveError,
  InvalidSignatureError,
  PolicyRequirementError,
} from '../errors.js';
import { decodeSignatureBlob } from '../signature/blob.js';
import type { VerificationMechanism } from '../signature/mechanism.js';
import { newPGPVerifier } from '../signature/pgp/verifier.js';
import { transportString } from '../transports/types.js';
import {
  acceptedSignatures,
  evaluatePolicy,
  rejectionMessage,
} from './evaluate.js';
import type { EvaluationEnv, UntrustedSignature } from './requirements/env.js';
import type { AcceptedSignature, PolicyEvaluation } from './result.js';
import type { Policy, SignedBy } from './types.js';
import { cachedImage, type UnparsedImage } from './unparsed-image.js';

/** Largest key file a signedBy requirement reads. */
export const MAX_KEYRING_BYTES = 16 * 1024 * 1024;

export interface PolicyContextOptions {
  /** Build a verifier from keyring blobs (default: openpgp.js, newPGPVerifier). */
  newVerifier?: (keyrings: Buffer[]) => Promise<VerificationMechanism>;
}

async function readKeyFile(path: string): Promise<Buffer> {
  let handle;
  try {
    handle = await open(path, 'r');
    const { size } = await handle.stat();
    if (size > MAX_KEYRING_BYTES) {
      throw new Error(`larger than ${MAX_KEYRING_BYTES} bytes`);
    }
    return await handle.readFile();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a directory'
          : describeError(err);
    throw new PolicyRequirementError(`cannot read key file ${path}: ${why}`);
  } finally {
    await handle?.close();
  }
}

async function keyringBlobs(req: SignedBy): Promise<Buffer[]> {
  if (req.keyPath !== undefined) return [await readKeyFile(req.keyPath)];
  if (req.keyPaths !== undefined) {
    const out: Buffer[] = [];
    for (const p of req.keyPaths) out.push(await readKeyFile(p));
    return out;
  }
  return [req.keyData ?? Buffer.alloc(0)];
}

function keySourceName(req: SignedBy): string {
  if (req.keyPath !== undefined) return `key file ${req.keyPath}`;
  if (req.keyPaths !== undefined) {
    return req.keyPaths.length
      ? `key files ${req.keyPaths.join(', ')}`
      : 'keyPaths (empty)';
  }
  return 'keyData';
}

/**
 * A parsed policy, ready to evaluate images (containers/image
 * PolicyContext). Key files are read at each evaluation, so edits take effect
 * without a new context; parsed keyrings are reused only for identical
 * bytes. Safe to use for many images concurrently.
 */
export class PolicyContext {
  private readonly newVerifier: (
    keyrings: Buffer[],
  ) => Promise<VerificationMechanism>;
  private readonly verifiers = new Map<
    string,
    Promise<VerificationMechanism>
  >();

  constructor(
    readonly policy: Policy,
    options: PolicyContextOptions = {},
  ) {
    this.newVerifier = options.newVerifier ?? ((k) => newPGPVerifier(k));
  }

  private verifierFor(blobs: Buffer[]): Promise<VerificationMechanism> {
    const h = createHash('sha256');
    for (const b of blobs) h.update(`${b.length}:`).update(b);
    const key = h.digest('hex');
    let v = this.verifiers.get(key);
    if (!v) {
      v = this.newVerifier(blobs);
      v.catch(() => this.verifiers.delete(key));
      this.verifiers.set(key, v);
    }
    return v;
  }

  private env(untrusted: UnparsedImage): EvaluationEnv {
    const image = cachedImage(untrusted);
    const mechanisms = new Map<SignedBy, Promise<VerificationMechanism>>();
    let signatures: Promise<UntrustedSignature[]> | undefined;
    return {
      image,
      imageName: transportString(image.reference),
      intended: image.reference.dockerReference(),
      signatures: () => {
        signatures ??= image.signatures().then((blobs) =>
          blobs.map((blob, i) => {
            try {
              const d = decodeSignatureBlob(blob);
              return {
                index: i + 1,
                format: d.format,
                untrustedBlob: d.payload,
              };
            } catch (err) {
              throw new InvalidSignatureError(
                `signature ${i + 1}${image.signatureSource ? ` in ${image.signatureSource}` : ''} cannot be used: ${describeError(err)}`,
              );
            }
          }),
        );
        return signatures;
      },
      mechanismFor: (req) => {
        let m = mechanisms.get(req);
        if (!m) {
          m = (async () => {
            const mech = await this.verifierFor(await keyringBlobs(req));
            if (mech.trustedFingerprints().length === 0) {
              throw new PolicyRequirementError(
                `No public keys imported (${keySourceName(req)} contains no keys)`,
              );
            }
            return mech;
          })();
          mechanisms.set(req, m);
        }
        return m;
      },
    };
  }

  /** Evaluate one image; never throws for a verdict (see PolicyEvaluation). */
  evaluate(image: UnparsedImage): Promise<PolicyEvaluation> {
    return evaluatePolicy(this.policy, this.env(image));
  }

  /**
   * Throw PolicyRequirementError (or InconclusiveError when the deciding
   * failure was I/O) unless the policy allows the image.
   */
  async assertAllowed(image: UnparsedImage): Promise<PolicyEvaluation> {
    const evaluation = await this.evaluate(image);
    if (evaluation.allowed) return evaluation;
    const last = evaluation.results[evaluation.results.length - 1];
    const message = rejectionMessage(evaluation);
    if (last?.inconclusive) throw new InconclusiveError(message);
    throw new PolicyRequirementError(message);
  }

  /** The image's signatures that the policy accepts (SPEC §3.6), in order. */
  acceptedSignatures(image: UnparsedImage): Promise<AcceptedSignature[]> {
    return acceptedSignatures(this.policy, this.env(image));
  }
}
