import { InvalidSignatureError } from '../../errors.js';
import { framePackets } from './native/packet-framing.js';
import { inflateRawSync, inflateSync } from 'node:zlib';

/**
 * A minimal OpenPGP packet reader (RFC 4880 §4) for signed messages: enough
 * to count signatures, find the signer's key ID, read the literal data and
 * the fields of a V3 signature, none of which openpgp.js exposes for V3.
 * It never decides trust; verifier.ts does.
 */

/** Bound on decompressed data (signature payloads are a few hundred bytes). */
export const MAX_DECOMPRESSED_BYTES = 4 * 1024 * 1024;

export interface RawPacket {
  tag: number;
  body: Buffer;
}

export interface ParsedSignaturePacket {
  version: number;
  sigType: number;
  publicKeyAlgorithm: number;
  hashAlgorithm: number;
  /** 16 uppercase hex, from the V3 field or the V4 issuer (fingerprint) subpacket; '' if none. */
  issuerKeyID: string;
  /** V3 only: creation time (4 bytes, part of the hashed data). */
  creationTime?: number;
  /** V3 only: the two leftmost bytes of the hash. */
  hashLeft16?: Buffer;
  /** V3 only: algorithm-specific MPIs (RSA: one). */
  mpis?: Buffer[];
}

export interface ParsedSignedMessage {
  literal?: { format: string; data: Buffer };
  signatures: ParsedSignaturePacket[];
  onePassKeyIDs: string[];
  /** Packet tags that are neither compressed, one-pass, literal, signature nor marker. */
  otherTags: number[];
}

function malformed(why: string): InvalidSignatureError {
  return new InvalidSignatureError(`malformed OpenPGP data: ${why}`);
}

/** Split `data` into packets; old/new formats, partial lengths, indeterminate. */
export function readPackets(data: Buffer): RawPacket[] {
  return framePackets(data, malformed, 1).map(({ tag, body }) => ({
    tag,
    body,
  }));
}

function decompress(body: Buffer): Buffer {
  if (body.length < 2) throw malformed('truncated compressed packet');
  const algo = body[0];
  const rest = body.subarray(1);
  const opts = { maxOutputLength: MAX_DECOMPRESSED_BYTES };
  try {
    if (algo === 0) return rest;
    if (algo === 1) return inflateRawSync(rest, opts);
    if (algo === 2) return inflateSync(rest, opts);
  } catch (err) {
    throw new InvalidSignatureError(
      'malformed OpenPGP data: compressed packet does not decompress (corrupt, truncated or too large)',
      { cause: err },
    );
  }
  throw new InvalidSignatureError(
    `unsupported OpenPGP compression algorithm ${algo}`,
  );
}

function readMpi(body: Buffer, pos: number): [Buffer, number] {
  if (pos + 2 > body.length) throw malformed('truncated MPI');
  const bits = body.readUInt16BE(pos);
  const len = (bits + 7) >> 3;
  if (pos + 2 + len > body.length) throw malformed('truncated MPI');
  return [body.subarray(pos + 2, pos + 2 + len), pos + 2 + len];
}

/** Issuer key ID from V4 subpackets (type 16, else the tail of issuer fingerprint 33). */
function v4Issuer(body: Buffer): string {
  let found = '';
  let pos = 4;
  for (let area = 0; area < 2; area++) {
    if (pos + 2 > body.length) throw malformed('truncated signature');
    const len = body.readUInt16BE(pos);
    pos += 2;
    const end = pos + len;
    if (end > body.length) throw malformed('truncated signature subpackets');
    while (pos < end) {
      const b0 = body[pos++] ?? 0;
      let sl: number;
      if (b0 < 192) sl = b0;
      else if (b0 < 255) sl = ((b0 - 192) << 8) + (body[pos++] ?? 0) + 192;
      else {
        sl = body.readUInt32BE(pos);
        pos += 4;
      }
      if (sl < 1 || pos + sl > end) throw malformed('bad signature subpacket');
      const type = (body[pos] ?? 0) & 0x7f;
      const content = body.subarray(pos + 1, pos + sl);
      if (type === 16 && content.length === 8 && found === '') {
        found = content.toString('hex').toUpperCase();
      } else if (type === 33 && content.length === 21 && found === '') {
        found = content.subarray(13).toString('hex').toUpperCase();
      }
      pos += sl;
    }
  }
  return found;
}

export function parseSignaturePacket(body: Buffer): ParsedSignaturePacket {
  const version = body[0];
  if (version === 3 || version === 2) {
    if (body.length < 19 || body[1] !== 5) throw malformed('bad V3 signature');
    const mpis: Buffer[] = [];
    let pos = 19;
    while (pos < body.length) {
      const [mpi, next] = readMpi(body, pos);
      mpis.push(mpi);
      pos = next;
    }
    return {
      version,
      sigType: body[2] ?? 0,
      creationTime: body.readUInt32BE(3),
      issuerKeyID: body.subarray(7, 15).toString('hex').toUpperCase(),
      publicKeyAlgorithm: body[15] ?? 0,
      hashAlgorithm: body[16] ?? 0,
      hashLeft16: body.subarray(17, 19),
      mpis,
    };
  }
  if (version === 4 || version === 5 || version === 6) {
    if (body.length < 6) throw malformed('truncated signature');
    return {
      version,
      sigType: body[1] ?? 0,
      publicKeyAlgorithm: body[2] ?? 0,
      hashAlgorithm: body[3] ?? 0,
      issuerKeyID: version === 4 ? v4Issuer(body) : '',
    };
  }
  throw malformed(`unsupported signature packet version ${version}`);
}

/** Walk a (possibly compressed) message and collect what verification needs. */
export function parseSignedMessage(data: Buffer): ParsedSignedMessage {
  const result: ParsedSignedMessage = {
    signatures: [],
    onePassKeyIDs: [],
    otherTags: [],
  };
  const walk = (bytes: Buffer, depth: number): void => {
    for (const p of readPackets(bytes)) {
      switch (p.tag) {
        case 8:
          if (depth > 0) throw malformed('nested compressed packets');
          walk(decompress(p.body), depth + 1);
          break;
        case 4:
          if (p.body.length < 13) throw malformed('bad one-pass signature');
          result.onePassKeyIDs.push(
            p.body.subarray(4, 12).toString('hex').toUpperCase(),
          );
          break;
        case 11: {
          if (result.literal) throw malformed('more than one literal packet');
          const nameLen = p.body[1];
          if (nameLen === undefined || p.body.length < 6 + nameLen) {
            throw malformed('truncated literal packet');
          }
          result.literal = {
            format: String.fromCharCode(p.body[0] ?? 0),
            data: p.body.subarray(6 + nameLen),
          };
          break;
        }
        case 2:
          result.signatures.push(parseSignaturePacket(p.body));
          break;
        case 10: // marker packet, ignored
          break;
        default:
          result.otherTags.push(p.tag);
      }
    }
  };
  walk(data, 0);
  return result;
}
