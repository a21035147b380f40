/**
 * Every failure imgsign reports is an ImgsignError with a literal `code`.
 * Messages are single lines that name the file, image, key or field at fault
 * and, where there is one, what to do about it. Exit codes are derived from
 * the code in cli/errors.ts and nowhere else.
 */
export type ImgsignErrorCode =
  // Input the user gave us is malformed (flags, files, references, configs).
  | 'USAGE'
  | 'INVALID_REFERENCE'
  | 'POLICY_FORMAT'
  | 'REGISTRIES_D_FORMAT'
  | 'KEY_NOT_FOUND'
  | 'KEY_AMBIGUOUS'
  | 'KEY_INVALID'
  | 'PASSPHRASE'
  // A verification said no: the image or signature is not acceptable.
  | 'INVALID_SIGNATURE'
  | 'POLICY_REQUIREMENT'
  | 'DIGEST_MISMATCH'
  | 'INVALID_MANIFEST'
  | 'UNSAFE_PATH'
  | 'TRUST'
  // The answer could not be reached (I/O, network, a peer that failed).
  | 'INCONCLUSIVE'
  | 'REGISTRY_HTTP'
  | 'NOT_FOUND'
  | 'UNSUPPORTED'
  | 'EXTERNAL_TOOL';

export interface ImgsignErrorOptions {
  cause?: unknown;
}

export class ImgsignError extends Error {
  readonly code: ImgsignErrorCode;

  constructor(
    code: ImgsignErrorCode,
    message: string,
    options?: ImgsignErrorOptions,
  ) {
    super(
      message,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = code;
    this.name = new.target.name;
  }

  /**
   * The same error (same class, code and fields) with `context: ` in front,
   * for chaining ("reading signature-2 for X: ..."). Subclass constructors
   * differ, so this copies the instance instead of calling one.
   */
  withContext(context: string): this {
    const wrapped = Object.create(
      Object.getPrototypeOf(this) as object,
    ) as this;
    Object.assign(wrapped, this);
    Object.defineProperties(wrapped, {
      message: {
        value: `${context}: ${this.message}`,
        writable: true,
        configurable: true,
      },
      cause: { value: this, writable: true, configurable: true },
      stack: {
        value: `${this.name}: ${context}: ${this.stack ?? this.message}`,
        writable: true,
        configurable: true,
      },
    });
    return wrapped;
  }
}

/** A signature blob that is not a valid, trusted simple signature. */
export class InvalidSignatureError extends ImgsignError {
  constructor(message: string, options?: ImgsignErrorOptions) {
    super('INVALID_SIGNATURE', message, options);
  }
}

/** policy.json (or a policy fragment) does not follow containers-policy.json(5). */
export class PolicyFormatError extends ImgsignError {
  constructor(message: string, options?: ImgsignErrorOptions) {
    super('POLICY_FORMAT', message, options);
  }
}

/** A policy requirement rejected the image. */
export class PolicyRequirementError extends ImgsignError {
  constructor(message: string, options?: ImgsignErrorOptions) {
    super('POLICY_REQUIREMENT', message, options);
  }
}

/** Network or I/O failure: no verdict could be reached. Never treated as "accepted". */
export class InconclusiveError extends ImgsignError {
  constructor(message: string, options?: ImgsignErrorOptions) {
    super('INCONCLUSIVE', message, options);
  }
}

/** A registry answered with an unexpected HTTP status. */
export class RegistryHTTPError extends ImgsignError {
  readonly status: number;
  constructor(status: number, message: string, options?: ImgsignErrorOptions) {
    super('REGISTRY_HTTP', message, options);
    this.status = status;
  }
}

/** Construct the error for a bad user-supplied value. */
export function usageError(message: string): ImgsignError {
  return new ImgsignError('USAGE', message);
}

/** One line describing any thrown value, for chaining into our own messages. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message.split('\n')[0] ?? err.message;
  return String(err);
}

/** Why Notary/TUF trust data was refused (SPEC §7); callers map these to docker's wording. */
export type TrustFailure =
  | 'format' // malformed metadata, bad field, bad delegation name
  | 'signature' // threshold not met, bad signature, key ID mismatch
  | 'expired'
  | 'rollback' // version lower than the trusted one
  | 'hash' // bytes do not match the parent's length/hashes
  | 'root-certificate' // no usable root certificate for the GUN
  | 'rotation' // new root not signed by the previous root's keys
  | 'not-found' // a target or role that is not (validly) there
  | 'missing'; // metadata the repository does not have

/** Notary (TUF) trust data is invalid, expired, rolled back or under-signed. */
export class TrustError extends ImgsignError {
  readonly failure: TrustFailure;
  constructor(
    failure: TrustFailure,
    message: string,
    options?: ImgsignErrorOptions,
  ) {
    super('TRUST', message, options);
    this.failure = failure;
  }
}
