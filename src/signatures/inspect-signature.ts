import { describeError } from '../errors.js';
import { decodeSignatureBlob } from '../signature/blob.js';
import { parseClaims } from '../signature/payload.js';
import { untrustedSignatureContents } from '../signature/pgp/untrusted.js';
import { newPGPVerifier } from '../signature/pgp/verifier.js';
import {
  manifestDigestValidator,
  verifyAndExtractSignature,
} from '../signature/simple.js';
import { keysWithId, type KnownKey } from './known-keys.js';

/**
 * What `signatures list` says about one stored signature. Fields named
 * `untrusted*` come from the signature before (or without) verification;
 * `fingerprint`/`userId` are set only when it verified with a known key.
 */
export interface SignatureReport {
  /** 1-based position in the store. */
  index: number;
  /** Set when the blob cannot be read as a simple signature: why. */
  unreadable?: string;
  untrustedKeyId?: string;
  untrustedIdentity?: string;
  untrustedDigest?: string;
  /** Unix seconds. */
  untrustedTimestamp?: number;
  untrustedCreator?: string;
  /** The signed digest is this image's manifest digest (untrusted claim). */
  digestMatches?: boolean;
  verified: boolean;
  /** Why it does not verify (unknown key, bad signature, other digest…). */
  reason?: string;
  fingerprint?: string;
  userId?: string;
  /** Where the key came from. */
  keySource?: string;
}

/**
 * Parse (untrusted) and, when a known key has the signer's key ID, verify
 * one signature against `manifest` (SPEC §1.4 steps 1–4; the identity is
 * reported, not judged: policy decides which identities are acceptable).
 */
export async function inspectSignature(
  untrustedBlob: Buffer,
  index: number,
  manifest: Buffer,
  keys: KnownKey[],
): Promise<SignatureReport> {
  const report: SignatureReport = { index, verified: false };
  let keyId: string;
  try {
    const decoded = decodeSignatureBlob(untrustedBlob);
    if (decoded.format !== 'simple-signing') {
      report.unreadable = `a ${decoded.format} signature (not supported; only simple signing)`;
      return report;
    }
    const untrusted = untrustedSignatureContents(decoded.payload);
    keyId = untrusted.shortKeyIdentifier;
    report.untrustedKeyId = keyId;
    const claims = parseClaims(untrusted.contents);
    report.untrustedIdentity = claims.dockerReference;
    report.untrustedDigest = claims.dockerManifestDigest;
    if (claims.timestamp !== undefined)
      report.untrustedTimestamp = claims.timestamp;
    if (claims.creator !== undefined) report.untrustedCreator = claims.creator;
    try {
      manifestDigestValidator(manifest)(claims.dockerManifestDigest);
      report.digestMatches = true;
    } catch {
      report.digestMatches = false;
    }
  } catch (err) {
    report.unreadable = describeError(err);
    return report;
  }
  const candidates = keysWithId(keys, keyId);
  if (candidates.length === 0) {
    report.reason = `signer key ${keyId} is not known (import it with \`imgsign key import\` or pass --public-key-file)`;
    return report;
  }
  let firstError: string | undefined;
  for (const key of candidates) {
    try {
      const verifier = await newPGPVerifier([key.publicKey]);
      const sig = await verifyAndExtractSignature(untrustedBlob, {
        mechanism: verifier,
        validateSignedDockerManifestDigest: manifestDigestValidator(manifest),
        validateSignedDockerReference: () => undefined,
      });
      report.verified = true;
      report.fingerprint = sig.keyIdentity;
      const userId = key.userIds[0];
      if (userId !== undefined) report.userId = userId;
      report.keySource = key.source;
      return report;
    } catch (err) {
      firstError ??= describeError(err);
    }
  }
  report.reason = firstError ?? 'did not verify';
  return report;
}
