import { ImgsignError } from '../errors.js';

/**
 * A minimal DER reader and writer for the few ASN.1 structures Notary's
 * keys and certificates use (PKCS#8, PBES2, SEC1, PKCS#1, X.509). Only
 * definite lengths and single-byte tags; every read is bounds-checked and
 * fails with KEY_INVALID rather than throwing a RangeError on hostile input.
 */
export interface DerNode {
  /** Identifier octet (class, constructed bit and tag number < 31). */
  tag: number;
  /** Content octets. */
  body: Buffer;
  /** The whole encoding (identifier, length and content). */
  raw: Buffer;
}

export const TAG = {
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  sequence: 0x30,
} as const;

function invalid(what: string): ImgsignError {
  return new ImgsignError('KEY_INVALID', `malformed DER in ${what}`);
}

/** Read one TLV at `offset`; `what` names the structure in errors. */
export function readNode(buf: Buffer, offset: number, what: string): DerNode {
  if (offset + 2 > buf.length) throw invalid(what);
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) throw invalid(what);
  let length = buf[offset + 1]!;
  let header = 2;
  if (length & 0x80) {
    const n = length & 0x7f;
    if (n === 0 || n > 4 || offset + 2 + n > buf.length) throw invalid(what);
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[offset + 2 + i]!;
    header += n;
  }
  const end = offset + header + length;
  if (end > buf.length) throw invalid(what);
  return {
    tag,
    body: buf.subarray(offset + header, end),
    raw: buf.subarray(offset, end),
  };
}

/** Parse `buf` as exactly one node (trailing bytes are an error unless allowed). */
export function parseDer(
  buf: Buffer,
  what: string,
  allowTrailing = false,
): DerNode {
  const node = readNode(buf, 0, what);
  if (!allowTrailing && node.raw.length !== buf.length) throw invalid(what);
  return node;
}

/** The children of a constructed node. */
export function children(node: DerNode, what: string): DerNode[] {
  if ((node.tag & 0x20) === 0) throw invalid(what);
  const out: DerNode[] = [];
  let offset = 0;
  while (offset < node.body.length) {
    const child = readNode(node.body, offset, what);
    out.push(child);
    offset += child.raw.length;
  }
  return out;
}

/** Require `node` to have `tag`. */
export function expectTag(
  node: DerNode | undefined,
  tag: number,
  what: string,
): DerNode {
  if (!node || node.tag !== tag) throw invalid(what);
  return node;
}

/** A small non-negative INTEGER (versions, iteration counts). */
export function readSmallInt(node: DerNode | undefined, what: string): number {
  const n = expectTag(node, TAG.integer, what);
  if (n.body.length === 0 || n.body.length > 4 || n.body[0]! & 0x80) {
    throw invalid(what);
  }
  return n.body.reduce((acc, b) => acc * 256 + b, 0);
}

/** Dotted OID text of an OBJECT IDENTIFIER node. */
export function readOid(node: DerNode | undefined, what: string): string {
  const n = expectTag(node, TAG.oid, what);
  if (n.body.length === 0) throw invalid(what);
  const arcs: number[] = [];
  let value = 0;
  for (const b of n.body) {
    value = value * 128 + (b & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 128) throw invalid(what);
    if ((b & 0x80) === 0) {
      if (arcs.length === 0) {
        const first = value < 80 ? Math.floor(value / 40) : 2;
        arcs.push(first, value - first * 40);
      } else arcs.push(value);
      value = 0;
    }
  }
  if (n.body[n.body.length - 1]! & 0x80) throw invalid(what);
  return arcs.join('.');
}

function encodeLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** Encode one TLV. */
export function encode(tag: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(body.length), body]);
}

export function encodeSequence(...items: Buffer[]): Buffer {
  return encode(TAG.sequence, Buffer.concat(items));
}

/** A non-negative INTEGER. */
export function encodeInt(value: number): Buffer {
  const bytes: number[] = [];
  for (let v = value; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  if (bytes.length === 0 || bytes[0]! & 0x80) bytes.unshift(0);
  return encode(TAG.integer, Buffer.from(bytes));
}

export function encodeOctets(body: Buffer): Buffer {
  return encode(TAG.octetString, body);
}

/** OBJECT IDENTIFIER from dotted text. */
export function encodeOid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const [a = 0, b = 0, ...rest] = arcs;
  const out: number[] = [];
  for (const arc of [a * 40 + b, ...rest]) {
    const chunk: number[] = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) {
      chunk.unshift(0x80 | (v & 0x7f));
    }
    out.push(...chunk);
  }
  return encode(TAG.oid, Buffer.from(out));
}
