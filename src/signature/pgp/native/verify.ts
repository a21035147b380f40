import { inflateRawSync, inflateSync } from 'node:zlib';
import { UnsupportedOpenPGPError } from './key-packet.js';
import { signingKey } from './key-validity.js';
import { splitPackets } from './packet-framing.js';
import { checkSignature } from './signature-check.js';
import { parseV4Signature, type V4Signature } from './signature-packet.js';
import {
  keySignatures,
  parseTransferableKeys,
  type TransferableKey,
} from './transferable-key.js';

/**
 * The native verification fast path: simple signatures (binary signed
 * messages) by clean V4 keys, checked with node:crypto without loading
 * openpgp.js. It only ever answers "accepted" or undefined (undecided);
 * undecided means openpgp.js (verifier.ts) decides exactly as before.
 * SECURITY: every rule mirrors what openpgp.js 6 does in openpgp.verify
 * ({date}) with default config, and Key.getSigningKey(keyID, date) as
 * key-validity.ts mirrors it; wherever mirroring would need more than the
 * common case (revocations, direct-key signatures, colliding key IDs,
 * unusual packets), the answer is undecided.
 */

export type NativeKey = TransferableKey;

export interface NativeVerified {
  contents: Buffer;
  /** Primary-key fingerprint, 40 uppercase hex. */
  keyIdentity: string;
}

/** Bound on decompressed data, as packets.ts. */
const MAX_DECOMPRESSED_BYTES = 4 * 1024 * 1024;

function undecided(why: string): UnsupportedOpenPGPError {
  return new UnsupportedOpenPGPError(`native verification undecided: ${why}`);
}

/** Keyrings hold public keys; DSA certifications are left to openpgp.js too. */
function verifiableKey(key: NativeKey): boolean {
  return (
    key.secretPart === undefined &&
    keySignatures(key).every((s) => s.publicKeyAlgorithm !== 17)
  );
}

/** Every key of every blob, or undefined when any part is not handled natively. */
export function parseNativeKeyring(blobs: Buffer[]): NativeKey[] | undefined {
  try {
    const keys = blobs.flatMap((b) => parseTransferableKeys(b));
    return keys.every(verifiableKey) ? keys : undefined;
  } catch {
    return undefined;
  }
}

interface NativeMessage {
  literal: Buffer;
  sig: V4Signature;
}

function inflate(body: Buffer): Buffer {
  const algo = body[0];
  const input = body.subarray(1);
  const opts = { maxOutputLength: MAX_DECOMPRESSED_BYTES, info: true };
  const result =
    algo === 1
      ? inflateRawSync(input, opts)
      : algo === 2
        ? inflateSync(input, opts)
        : undefined;
  // info: true returns the engine too; all input must be consumed
  const r = result as unknown as
    { buffer: Buffer; engine: { bytesWritten: number } } | undefined;
  if (!r || r.engine.bytesWritten !== input.length) {
    throw undecided('compressed data');
  }
  return r.buffer;
}

/** [one-pass, literal, signature], optionally inside one compressed packet. */
function readMessage(untrusted: Buffer): NativeMessage {
  let packets = splitPackets(untrusted);
  if (packets.length === 1 && packets[0]!.tag === 8) {
    packets = splitPackets(inflate(packets[0]!.body));
  }
  const [ops, lit, sigPacket] = packets;
  if (
    packets.length !== 3 ||
    ops?.tag !== 4 ||
    lit?.tag !== 11 ||
    sigPacket?.tag !== 2 ||
    ops.partial ||
    sigPacket.partial
  ) {
    throw undecided('message structure');
  }
  const sig = parseV4Signature(sigPacket.body);
  const o = ops.body;
  if (
    o.length !== 13 ||
    o[0] !== 3 ||
    o[1] !== sig.sigType ||
    o[2] !== sig.hashAlgorithm ||
    o[3] !== sig.publicKeyAlgorithm ||
    o.subarray(4, 12).toString('hex').toUpperCase() !== sig.issuerKeyID
  ) {
    throw undecided('one-pass signature');
  }
  const nameLen = lit.body[1];
  if (nameLen === undefined || lit.body.length < 6 + nameLen) {
    throw undecided('literal packet');
  }
  return { literal: lit.body.subarray(6 + nameLen), sig };
}

/**
 * Accept the (single) signature of a binary signed message exactly when
 * openpgp.js, as verifier.ts uses it, would; undefined = undecided.
 * `untrusted` is the whole signature blob (after verifier.ts structure
 * checks). Like verifier.ts, only keys holding the issuer key ID are
 * tried; natively only the first of them.
 */
export function nativeVerify(
  keys: NativeKey[],
  untrusted: Buffer,
  now: Date,
): NativeVerified | undefined {
  try {
    const { literal, sig } = readMessage(untrusted);
    if (sig.sigType !== 0x00) return undefined;
    const keyID = sig.issuerKeyID;
    const key = keys.find(
      (k) =>
        k.primary.keyID === keyID || k.subkeys.some((s) => s.keyID === keyID),
    );
    if (!key) return undefined;
    const date = Math.floor(now.getTime() / 1000);
    const signer = signingKey(key, keyID, date).key;
    if (checkSignature(sig, signer, literal, date, true) !== 'valid') {
      return undefined;
    }
    if (signer.created > sig.created) return undefined;
    // openpgp.js checks the key again at the signature's creation time
    signingKey(key, keyID, sig.created);
    return {
      contents: Buffer.from(literal),
      keyIdentity: key.primary.fingerprint,
    };
  } catch {
    return undefined;
  }
}
