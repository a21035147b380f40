import {
  parsePublicKeyPacket,
  parseSubkeyPublic,
  UnsupportedOpenPGPError,
  type PublicKeyPacket,
  type SubkeyPublic,
} from './key-packet.js';
import { keyBlobChunks, splitPackets } from './packet-framing.js';
import { parseV4Signature, type V4Signature } from './signature-packet.js';

/**
 * The one native reading of transferable keys (RFC 9580 §10.1), public or
 * secret, armored or binary, for verification, signing and key listing.
 * Signatures are filed where openpgp.js packetListToStructure files them
 * but not judged here: callers decide which to verify and which shapes
 * they handle. Packets are kept as read, so key-blob.ts can write the key
 * back byte for byte. Anything this reading would not mirror throws
 * UnsupportedOpenPGPError and the caller falls back to openpgp.js.
 */

export interface KeyUser {
  /** The user ID packet body (UTF-8 that round-trips, as openpgp.js re-encodes it). */
  userID: Buffer;
  /** Certifications (0x10–0x13) issued by the primary key, unverified, in packet order. */
  selfCertifications: V4Signature[];
  /** Certifications by other keys: never trusted, kept for the rewrite. */
  otherCertifications: V4Signature[];
  /** Certification revocations (0x30): not evaluated natively. */
  revocations: V4Signature[];
}

export interface KeySubkey extends SubkeyPublic {
  /** The packet body (public or secret subkey) as read. */
  body: Buffer;
  /** Binding signatures (0x18) by the primary key, unverified, in packet order. */
  bindingSignatures: V4Signature[];
  /** Subkey revocations (0x28): not evaluated natively. */
  revocations: V4Signature[];
}

export interface TransferableKey {
  primary: PublicKeyPacket;
  /** The primary packet body as read (tag 5 bodies hold the secret part after the public one). */
  primaryBody: Buffer;
  /** Secret key (tag 5 and 7 packets): the primary's secret part, S2K usage octet onwards. */
  secretPart?: Buffer;
  users: KeyUser[];
  subkeys: KeySubkey[];
  directSignatures: V4Signature[];
  /** Key revocations (0x20), or 0x30 before any user ID. */
  revocationSignatures: V4Signature[];
}

function unsupported(why: string): UnsupportedOpenPGPError {
  return new UnsupportedOpenPGPError(`native OpenPGP: ${why}`);
}

function roundTripsUtf8(b: Buffer): boolean {
  const s = new TextDecoder('utf-8').decode(b);
  return s.length <= 5 * 1024 && Buffer.from(s, 'utf8').equals(b);
}

function startKey(tag: number, body: Buffer): TransferableKey {
  const { key: primary, end } = parsePublicKeyPacket(body);
  if (tag === 6 && end !== body.length) throw unsupported('key packet');
  return {
    primary,
    primaryBody: body,
    ...(tag === 5 ? { secretPart: body.subarray(end) } : {}),
    users: [],
    subkeys: [],
    directSignatures: [],
    revocationSignatures: [],
  };
}

function readSubkey(tag: number, body: Buffer): KeySubkey {
  const pub = parseSubkeyPublic(body);
  if (tag === 14 && pub.end !== body.length) throw unsupported('subkey packet');
  return { ...pub, body, bindingSignatures: [], revocations: [] };
}

/** File a key signature where openpgp.js packetListToStructure would. */
function addSignature(
  key: TransferableKey,
  user: KeyUser | undefined,
  subkey: KeySubkey | undefined,
  sig: V4Signature,
): void {
  const t = sig.sigType;
  if (t >= 0x10 && t <= 0x13) {
    if (!user) throw unsupported('certification without a user ID');
    // third-party certifications do not affect validity
    if (sig.issuerKeyID === key.primary.keyID) {
      user.selfCertifications.push(sig);
    } else user.otherCertifications.push(sig);
  } else if (t === 0x30) {
    if (user) user.revocations.push(sig);
    else key.revocationSignatures.push(sig);
  } else if (t === 0x1f) key.directSignatures.push(sig);
  else if (t === 0x20) key.revocationSignatures.push(sig);
  else if (t === 0x18 && subkey) {
    // a binding by another key could only be judged by openpgp.js
    if (sig.issuerKeyID !== key.primary.keyID) {
      throw unsupported('subkey binding by another key');
    }
    subkey.bindingSignatures.push(sig);
  } else if (t === 0x28 && subkey) subkey.revocations.push(sig);
  else throw unsupported(`signature type 0x${t.toString(16)} in a key`);
}

function readKeys(data: Buffer): TransferableKey[] {
  const keys: TransferableKey[] = [];
  let key: TransferableKey | undefined;
  let user: KeyUser | undefined;
  let subkey: KeySubkey | undefined;
  for (const p of splitPackets(data)) {
    if (p.tag === 12) continue; // trust packets: ignored, as by openpgp.js
    if (p.partial) throw unsupported('partial length in a key');
    if (p.tag === 6 || p.tag === 5) {
      key = startKey(p.tag, p.body);
      keys.push(key);
      user = subkey = undefined;
      continue;
    }
    if (!key) throw unsupported(`packet ${p.tag} before a key`);
    if (p.tag === 14 || p.tag === 7) {
      // secret keys hold secret subkeys only, public keys public ones
      if ((p.tag === 7) !== (key.secretPart !== undefined)) {
        throw unsupported('public and secret key packets mixed');
      }
      subkey = readSubkey(p.tag, p.body);
      key.subkeys.push(subkey);
      user = undefined;
    } else if (p.tag === 13) {
      if (subkey) throw unsupported('user ID after a subkey');
      if (!roundTripsUtf8(p.body)) throw unsupported('user ID encoding');
      user = {
        userID: p.body,
        selfCertifications: [],
        otherCertifications: [],
        revocations: [],
      };
      key.users.push(user);
    } else if (p.tag === 2) {
      addSignature(key, user, subkey, parseV4Signature(p.body));
    } else {
      throw unsupported(`packet type ${p.tag} in a key`);
    }
  }
  return keys;
}

/** Every signature filed in `key`, third-party certifications included. */
export function keySignatures(key: TransferableKey): V4Signature[] {
  return [
    ...key.directSignatures,
    ...key.revocationSignatures,
    ...key.users.flatMap((u) => [
      ...u.selfCertifications,
      ...u.otherCertifications,
      ...u.revocations,
    ]),
    ...key.subkeys.flatMap((s) => [...s.bindingSignatures, ...s.revocations]),
  ];
}

/**
 * Every key in a key blob, as verifier.ts readKeyringBlob splits it:
 * binary (possibly concatenated) or every ASCII-armored key block, each
 * of which must hold a key. An empty blob has none. Throws
 * UnsupportedOpenPGPError when any part is not handled natively.
 */
export function parseTransferableKeys(blob: Buffer): TransferableKey[] {
  if (blob.length === 0) return [];
  const keys: TransferableKey[] = [];
  for (const chunk of keyBlobChunks(blob)) {
    const found = readKeys(chunk);
    if (found.length === 0) throw unsupported('key data without a key');
    keys.push(...found);
  }
  return keys;
}
