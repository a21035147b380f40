/**
 * A signing mechanism (openpgp.js, or the gpg binary for keys that live in
 * GnuPG). Only signature/pgp/ imports openpgp.
 */
export interface VerifiedContents {
  /** The signed payload bytes (untrusted until parsed and matched, SPEC §1.4 steps 3–5). */
  contents: Buffer;
  /** Primary key fingerprint, 40 uppercase hex, also for signatures by a subkey. */
  keyIdentity: string;
}

export interface UntrustedSignatureInfo {
  contents: Buffer;
  /** 16 uppercase hex key ID from the signature packet (signer not verified). */
  shortKeyIdentifier: string;
}

export interface SigningMechanism {
  /** Produce a binary OpenPGP signed message over `payload`. */
  sign(payload: Buffer): Promise<Buffer>;
}

export interface VerificationMechanism {
  /**
   * Cryptographically verify `signature` against the trusted keys and
   * return the payload and signer. Throws InvalidSignatureError on any
   * failure (unknown key, bad, expired, revoked, not a signed message).
   */
  verify(signature: Buffer): Promise<VerifiedContents>;
  /** Primary fingerprints of every trusted key. */
  trustedFingerprints(): string[];
}
