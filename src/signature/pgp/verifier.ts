import type { Key, PublicKey, Subkey } from 'openpgp';
import {
  ImgsignError,
  InvalidSignatureError,
  describeError,
} from '../../errors.js';
import { MAX_SIGNATURE_BYTES } from '../blob.js';
import type { VerificationMechanism, VerifiedContents } from '../mechanism.js';
import { loadOpenPGP } from './openpgp.js';
import { parseSignedMessage, type ParsedSignedMessage } from './packets.js';
import { verifyV3Signature } from './v3.js';
import { nativeVerify, parseNativeKeyring } from './native/verify.js';

/**
 * OpenPGP verification of simple signatures against a fixed set of trusted
 * keys (SPEC §1.3, §1.4 step 1), with gpgme semantics: exactly one
 * signature, signer identity = primary fingerprint (also for subkeys),
 * revoked/expired keys and expired signatures rejected. V3 signature
 * packets, which openpgp.js cannot parse, are verified by v3.ts. The
 * common case (clean V4 keys, binary signed messages) is accepted by the
 * native fast path (native/verify.ts) without loading openpgp.js; whatever
 * it does not accept, openpgp.js decides exactly as before.
 */
export interface PGPVerifierOptions {
  /** Clock for expiry checks (tests inject a fixed one). */
  now?: () => Date;
  /** Try the native fast path first (default true); false = openpgp.js only, as the differential tests' oracle. */
  native?: boolean;
}

const ARMOR_BLOCK =
  /-----BEGIN PGP (PUBLIC|PRIVATE) KEY BLOCK-----[\s\S]*?-----END PGP \1 KEY BLOCK-----/g;

function invalidKeyring(why: string, cause?: unknown): ImgsignError {
  return new ImgsignError('KEY_INVALID', `invalid OpenPGP keyring: ${why}`, {
    cause,
  });
}

/** Every key in `blob`: binary (possibly concatenated) or ASCII-armored blocks. */
export async function readKeyringBlob(blob: Buffer): Promise<PublicKey[]> {
  const openpgp = await loadOpenPGP();
  if (blob.length === 0) return [];
  const text = blob.subarray(0, 64).toString('latin1').trimStart();
  const keys: Key[] = [];
  try {
    if (text.startsWith('-----BEGIN')) {
      const blocks = blob.toString('utf8').match(ARMOR_BLOCK);
      if (!blocks) throw invalidKeyring('no complete ASCII-armored key block');
      for (const armoredKeys of blocks) {
        keys.push(...(await openpgp.readKeys({ armoredKeys })));
      }
    } else {
      keys.push(
        ...(await openpgp.readKeys({ binaryKeys: new Uint8Array(blob) })),
      );
    }
  } catch (err) {
    if (err instanceof ImgsignError) throw err;
    throw invalidKeyring(describeError(err), err);
  }
  return keys.map((k) => (k.isPrivate() ? k.toPublic() : k));
}

const armorKinds: [string, string][] = [
  ['-----BEGIN PGP SIGNED MESSAGE', 'a cleartext-signed message'],
  ['-----BEGIN PGP SIGNATURE', 'an ASCII-armored detached signature'],
  ['-----BEGIN PGP MESSAGE', 'an ASCII-armored message'],
  ['-----BEGIN', 'ASCII-armored data'],
];

function reject(why: string, cause?: unknown): InvalidSignatureError {
  return new InvalidSignatureError(why, { cause });
}

/** Structural checks before any cryptography: one signature over one literal packet. */
function checkStructure(untrusted: Buffer): ParsedSignedMessage {
  if (untrusted.length === 0) throw reject('signature is empty');
  if (untrusted.length > MAX_SIGNATURE_BYTES) {
    throw reject(
      `signature is larger than ${MAX_SIGNATURE_BYTES} bytes; refusing to process it`,
    );
  }
  const head = untrusted.subarray(0, 64).toString('latin1').trimStart();
  for (const [prefix, what] of armorKinds) {
    if (head.startsWith(prefix)) {
      throw reject(
        `signature is ${what}; a binary OpenPGP signed message is required`,
      );
    }
  }
  const parsed = parseSignedMessage(untrusted);
  if (
    parsed.otherTags.some(
      (t) => t === 1 || t === 3 || t === 9 || t === 18 || t === 20,
    )
  ) {
    throw reject('not a signed message: it contains encrypted data');
  }
  if (parsed.otherTags.length > 0) {
    throw reject(
      `not a signed message: unexpected OpenPGP packet type ${parsed.otherTags[0]}`,
    );
  }
  if (parsed.literal === undefined) {
    throw reject(
      parsed.signatures.length > 0
        ? 'signature is a detached signature, not a signed message containing the payload'
        : 'not a signed message: no signed data found',
    );
  }
  if (parsed.signatures.length === 0) {
    throw reject('not a signed message: the data is not signed');
  }
  if (parsed.signatures.length !== 1) {
    throw reject(
      `signed message contains ${parsed.signatures.length} signatures; exactly one is required`,
    );
  }
  return parsed;
}

function keyIDHex(k: Key | Subkey): string {
  return k.getKeyID().toHex().toUpperCase();
}

/** Verify the (single) signature of `parsed` with one key holding `keyID`. */
async function verifyWithKey(
  untrusted: Buffer,
  parsed: ParsedSignedMessage,
  keyID: string,
  key: PublicKey,
  date: Date,
): Promise<Buffer> {
  const sig = parsed.signatures[0]!;
  const signingPart = key.getKeys().find((sub) => keyIDHex(sub) === keyID)!;
  // gpgme semantics: the key must be valid for signing now (not revoked, not expired).
  try {
    await key.getSigningKey(signingPart.getKeyID(), date);
  } catch (err) {
    throw reject(
      `key ${keyID} of ${key.getFingerprint().toUpperCase()} is not valid for signing: ${describeError(err)}`,
      err,
    );
  }
  if (sig.version === 3 || sig.version === 2) {
    return verifyV3Signature(parsed, sig, signingPart);
  }
  const openpgp = await loadOpenPGP();
  try {
    const message = await openpgp.readMessage({
      binaryMessage: new Uint8Array(untrusted),
    });
    const result = await openpgp.verify({
      message,
      verificationKeys: key,
      expectSigned: true,
      format: 'binary',
      date,
    });
    if (result.signatures.length !== 1) {
      throw new Error(`${result.signatures.length} signatures`);
    }
    await result.signatures[0]!.verified;
    return Buffer.from(result.data as Uint8Array);
  } catch (err) {
    throw reject(
      `signature by key ${keyID} did not verify: ${describeError(err)}`,
      err,
    );
  }
}

export async function newPGPVerifier(
  keyringBlobs: Buffer[],
  options: PGPVerifierOptions = {},
): Promise<VerificationMechanism> {
  // The native parse keeps openpgp.js unloaded for the common case; it is
  // loaded (and decides, as before) when the keyring or a signature is
  // something the native path does not handle.
  const native =
    options.native === false ? undefined : parseNativeKeyring(keyringBlobs);
  let loadingKeys: Promise<PublicKey[]> | undefined;
  const openpgpKeys = (): Promise<PublicKey[]> =>
    (loadingKeys ??= (async () => {
      const keys: PublicKey[] = [];
      for (const blob of keyringBlobs) {
        keys.push(...(await readKeyringBlob(blob)));
      }
      return keys;
    })());
  const fingerprints = native
    ? native.map((k) => k.primary.fingerprint)
    : (await openpgpKeys()).map((k) => k.getFingerprint().toUpperCase());
  const now = options.now ?? (() => new Date());

  async function verify(untrusted: Buffer): Promise<VerifiedContents> {
    if (fingerprints.length === 0) {
      throw reject('No public keys imported');
    }
    const parsed = checkStructure(untrusted);
    if (native) {
      const accepted = nativeVerify(native, untrusted, now());
      if (accepted) return accepted;
    }
    const keys = await openpgpKeys();
    const sig = parsed.signatures[0]!;
    const keyID = sig.issuerKeyID || parsed.onePassKeyIDs[0] || '';
    const candidates = keys.filter((k) =>
      k.getKeys().some((sub) => keyIDHex(sub) === keyID),
    );
    if (candidates.length === 0) {
      throw reject(
        `signature was made by key ${keyID || '(unknown)'}, which is not a trusted key`,
      );
    }
    // Key IDs can collide (64 bits, attacker-chosen): try each key that has
    // this ID on its own and attribute the signature to the one that verifies.
    const date = now();
    let firstError: InvalidSignatureError | undefined;
    for (const key of candidates) {
      try {
        const contents = await verifyWithKey(
          untrusted,
          parsed,
          keyID,
          key,
          date,
        );
        return { contents, keyIdentity: key.getFingerprint().toUpperCase() };
      } catch (err) {
        if (!(err instanceof InvalidSignatureError)) throw err;
        firstError ??= err;
      }
    }
    throw firstError!;
  }

  return {
    verify,
    trustedFingerprints: () => [...fingerprints],
  };
}
