import { bitLength, UnsupportedOpenPGPError } from './key-packet.js';

/**
 * Native V4 signature packets (RFC 9580 §5.2), parsed once for every
 * native path (message signatures, self-certifications, subkey bindings;
 * signature-check.ts verifies them). Parsing is
 * deliberately narrower than openpgp.js: anything unusual (critical
 * subpackets openpgp.js may refuse, revocation keys, odd lengths,
 * duplicates, disagreeing issuers) throws UnsupportedOpenPGPError so that
 * openpgp.js decides instead. DSA signatures are parsed (third-party
 * certifications carry them) but never verify: no native key is DSA.
 */

export interface Subpacket {
  type: number;
  critical: boolean;
  hashed: boolean;
  body: Buffer;
}

export interface V4Signature {
  /** The whole packet body, as read (key blobs write it back unchanged). */
  body: Buffer;
  sigType: number;
  publicKeyAlgorithm: number;
  hashAlgorithm: number;
  /** Body from the version octet through the hashed subpackets (hashed with the trailer). */
  hashedPart: Buffer;
  subpackets: Subpacket[];
  /** Creation time, unix seconds. */
  created: number;
  /** Signature lifetime in seconds; 0 = never expires. */
  expiresAfter: number;
  /** Key lifetime in seconds from key creation; 0 = never expires. */
  keyExpiresAfter: number;
  /** First key-flags octet; undefined when the subpacket is absent. */
  keyFlags?: number;
  isPrimaryUserID: boolean;
  /** Preferred hash algorithms (subpacket 21), in order; empty when absent. */
  preferredHashes: number[];
  /** 16 uppercase hex: what openpgp.js uses as the issuer (all issuer subpackets agree). */
  issuerKeyID: string;
  embedded?: V4Signature;
  left16: Buffer;
  /** RSA [s]; ECDSA/EdDSA [r, s] as in the MPIs; Ed25519 [RS]. */
  params: Buffer[];
  /** Shortest subpacket lengths and canonical MPIs: openpgp.js writes the packet back byte for byte. */
  canonical: boolean;
}

export const HASH_NAMES: Record<number, string> = {
  2: 'sha1',
  8: 'sha256',
  9: 'sha384',
  10: 'sha512',
  11: 'sha224',
};

/** Subpacket types openpgp.js interprets (its readSubPacket switch); critical unknown ones make it reject. */
const OPENPGP_KNOWN = new Set([
  2, 3, 4, 5, 6, 7, 9, 11, 12, 16, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30,
  31, 32, 33, 34, 39,
]);
/** Known types we accept in the hashed area without interpreting them. */
const PASSIVE = new Set([4, 7, 11, 22, 23, 24, 26, 28, 29, 30, 34, 39]);
/** Types openpgp.js honours when critical (it writes embedded signatures, 32, critical itself); other critical subpackets may make it refuse the signature. */
const KNOWN_CRITICAL = new Set([2, 3, 9, 11, 16, 21, 22, 25, 27, 30, 32, 33]);
/** Public-key algorithms whose signatures are parsed: RSA, DSA (never verified), ECDSA, EdDSA. */
const SIGNATURE_ALGORITHMS = new Set([1, 3, 17, 19, 22, 27]);
const FIXED_LENGTH: Record<number, number> = {
  2: 4,
  3: 4,
  9: 4,
  16: 8,
  25: 1,
  33: 21,
  4: 1,
  7: 1,
};

function unsupported(why: string): UnsupportedOpenPGPError {
  return new UnsupportedOpenPGPError(`native OpenPGP signature: ${why}`);
}

interface Reading {
  subpackets: Subpacket[];
  canonical: boolean;
}

function readSubpackets(
  body: Buffer,
  pos: number,
  hashed: boolean,
  out: Reading,
): number {
  if (pos + 2 > body.length) throw unsupported('truncated');
  const end = pos + 2 + body.readUInt16BE(pos);
  if (end > body.length) throw unsupported('truncated subpackets');
  pos += 2;
  while (pos < end) {
    const b0 = body[pos] ?? 0;
    let len: number;
    if (b0 < 192) {
      len = b0;
      pos += 1;
    } else if (b0 < 255) {
      if (pos + 2 > end) throw unsupported('bad subpacket length');
      len = ((b0 - 192) << 8) + (body[pos + 1] ?? 0) + 192;
      pos += 2;
      if (len < 192) out.canonical = false;
    } else {
      if (pos + 5 > end) throw unsupported('bad subpacket length');
      len = body.readUInt32BE(pos + 1);
      pos += 5;
      if (len < 8384) out.canonical = false;
    }
    if (len < 1 || pos + len > end) throw unsupported('bad subpacket length');
    const t = body[pos] ?? 0;
    out.subpackets.push({
      type: t & 0x7f,
      critical: (t & 0x80) !== 0,
      hashed,
      body: body.subarray(pos + 1, pos + len),
    });
    pos += len;
  }
  return end;
}

/** Like openpgp.js util.readMPI: the declared bit count decides the length, leading zeros allowed (but noted). */
function readMpi(body: Buffer, pos: number, out: Reading): [Buffer, number] {
  if (pos + 2 > body.length) throw unsupported('truncated MPI');
  const bits = body.readUInt16BE(pos);
  const len = (bits + 7) >> 3;
  if (pos + 2 + len > body.length) throw unsupported('truncated MPI');
  const value = body.subarray(pos + 2, pos + 2 + len);
  if (bits === 0 || bitLength(value) !== bits) out.canonical = false;
  return [value, pos + 2 + len];
}

function readParams(
  algo: number,
  body: Buffer,
  pos: number,
  out: Reading,
): Buffer[] {
  const params: Buffer[] = [];
  if (algo === 27) {
    if (pos + 64 !== body.length) throw unsupported('bad Ed25519 signature');
    return [body.subarray(pos)];
  }
  const count = algo === 1 || algo === 3 ? 1 : 2;
  for (let i = 0; i < count; i++) {
    const [mpi, next] = readMpi(body, pos, out);
    params.push(mpi);
    pos = next;
  }
  if (pos !== body.length) throw unsupported('trailing signature data');
  return params;
}

/** Parse a V4 signature packet body; throws UnsupportedOpenPGPError for anything the native path leaves to openpgp.js. */
export function parseV4Signature(body: Buffer, embedded = false): V4Signature {
  if (body.length < 6 || body[0] !== 4) {
    throw unsupported(`version ${body[0]} is not handled natively`);
  }
  const sigType = body[1] ?? 0;
  const publicKeyAlgorithm = body[2] ?? 0;
  const hashAlgorithm = body[3] ?? 0;
  if (!SIGNATURE_ALGORITHMS.has(publicKeyAlgorithm)) {
    throw unsupported(`public-key algorithm ${publicKeyAlgorithm}`);
  }
  if (HASH_NAMES[hashAlgorithm] === undefined) {
    throw unsupported(`hash algorithm ${hashAlgorithm}`);
  }
  const reading: Reading = { subpackets: [], canonical: true };
  const hashedEnd = readSubpackets(body, 4, true, reading);
  const unhashedEnd = readSubpackets(body, hashedEnd, false, reading);
  if (unhashedEnd + 2 > body.length) throw unsupported('truncated');
  const params = readParams(publicKeyAlgorithm, body, unhashedEnd + 2, reading);
  const { subpackets } = reading;
  const sig: V4Signature = {
    sigType,
    publicKeyAlgorithm,
    hashAlgorithm,
    body,
    hashedPart: body.subarray(0, hashedEnd),
    subpackets,
    created: -1,
    expiresAfter: 0,
    keyExpiresAfter: 0,
    isPrimaryUserID: false,
    preferredHashes: [],
    issuerKeyID: '',
    left16: body.subarray(unhashedEnd, unhashedEnd + 2),
    params,
    canonical: reading.canonical,
  };
  const seen = new Set<number>();
  const issuers = new Set<string>();
  for (const sp of subpackets) {
    const fixed = FIXED_LENGTH[sp.type];
    if (!sp.hashed) {
      // openpgp.js reads only issuer, issuer fingerprint and embedded signature here.
      if (sp.type !== 16 && sp.type !== 33 && sp.type !== 32) continue;
      if (sp.type === 32 && sig.embedded) throw unsupported('two embedded');
    } else if (sp.type !== 16 && sp.type !== 33 && sp.type !== 20) {
      // notations may repeat; issuers must agree (below)
      if (seen.has(sp.type))
        throw unsupported(`duplicate subpacket ${sp.type}`);
      seen.add(sp.type);
    }
    if (fixed !== undefined && sp.body.length !== fixed) {
      throw unsupported(`subpacket ${sp.type} has length ${sp.body.length}`);
    }
    switch (sp.type) {
      case 2:
        sig.created = sp.body.readUInt32BE(0);
        break;
      case 3:
        sig.expiresAfter = sp.body.readUInt32BE(0);
        break;
      case 9:
        sig.keyExpiresAfter = sp.body.readUInt32BE(0);
        break;
      case 16:
        issuers.add(sp.body.toString('hex').toUpperCase());
        break;
      case 33:
        if (sp.body[0] !== 4) throw unsupported('issuer fingerprint version');
        issuers.add(sp.body.subarray(13).toString('hex').toUpperCase());
        break;
      case 25:
        sig.isPrimaryUserID = sp.body[0] !== 0;
        break;
      case 27:
        if (sp.body.length === 0) throw unsupported('empty key flags');
        sig.keyFlags = sp.body[0];
        break;
      case 21:
        sig.preferredHashes = [...sp.body];
        break;
      case 32:
        if (embedded) throw unsupported('nested embedded signature');
        sig.embedded = parseV4Signature(sp.body, true);
        break;
      case 20:
        if (sp.critical) throw unsupported('critical notation');
        break;
      default:
        if (!OPENPGP_KNOWN.has(sp.type)) {
          if (sp.critical) throw unsupported(`critical subpacket ${sp.type}`);
        } else if (!PASSIVE.has(sp.type)) {
          throw unsupported(`subpacket ${sp.type}`);
        }
    }
    // openpgp.js refuses signatures with critical subpackets it does not honour
    if (sp.hashed && sp.critical && !KNOWN_CRITICAL.has(sp.type)) {
      throw unsupported(`critical subpacket ${sp.type}`);
    }
  }
  if (sig.created < 0) throw unsupported('no creation time');
  if (issuers.size !== 1) throw unsupported('missing or conflicting issuer');
  sig.issuerKeyID = [...issuers][0]!;
  return sig;
}
