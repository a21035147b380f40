import { UnsupportedOpenPGPError } from './key-packet.js';

/**
 * OpenPGP packet framing (RFC 9580 §4.2) and ASCII armor (§6.2) for the
 * native paths: strict, so that whatever openpgp.js might read
 * differently throws UnsupportedOpenPGPError and openpgp.js decides.
 */

function unsupported(why: string): UnsupportedOpenPGPError {
  return new UnsupportedOpenPGPError(`native OpenPGP: ${why}`);
}

export interface RawPacket {
  tag: number;
  body: Buffer;
  /** New-format partial body lengths were used. */
  partial: boolean;
}

/** Split packets (RFC 9580 §4.2), throwing UnsupportedOpenPGPError on anything malformed. */
export function splitPackets(data: Buffer): RawPacket[] {
  // openpgp.js needs two bytes to start a packet
  return framePackets(data, unsupported, 2);
}

/**
 * Split `data` into packets (old and new formats, partial and
 * indeterminate lengths), reporting malformed framing as `fail(why)`
 * does; each packet needs `startBytes` bytes to begin.
 */
export function framePackets(
  data: Buffer,
  fail: (why: string) => Error,
  startBytes: 1 | 2,
): RawPacket[] {
  const out: RawPacket[] = [];
  let pos = 0;
  const need = (n: number): void => {
    if (pos + n > data.length) throw fail('truncated packet');
  };
  while (pos < data.length) {
    need(startBytes);
    const ctb = data[pos++] ?? 0;
    if ((ctb & 0x80) === 0) throw fail('invalid packet header');
    if (ctb & 0x40) {
      const parts: Buffer[] = [];
      let partial = false;
      for (;;) {
        need(1);
        const b0 = data[pos++] ?? 0;
        let len: number;
        let more = false;
        if (b0 < 192) len = b0;
        else if (b0 < 224) {
          need(1);
          len = ((b0 - 192) << 8) + (data[pos++] ?? 0) + 192;
        } else if (b0 === 255) {
          need(4);
          len = data.readUInt32BE(pos);
          pos += 4;
        } else {
          len = 1 << (b0 & 0x1f);
          more = partial = true;
        }
        need(len);
        parts.push(data.subarray(pos, pos + len));
        pos += len;
        if (!more) break;
      }
      out.push({ tag: ctb & 0x3f, body: Buffer.concat(parts), partial });
    } else {
      const lt = ctb & 3;
      let len: number;
      if (lt === 3) len = data.length - pos;
      else {
        const n = [1, 2, 4][lt] ?? 1;
        need(n);
        len = data.readUIntBE(pos, n);
        pos += n;
      }
      need(len);
      out.push({
        tag: (ctb >> 2) & 0x0f,
        body: data.subarray(pos, pos + len),
        partial: false,
      });
      pos += len;
    }
  }
  return out;
}

const ARMOR_BLOCK =
  /-----BEGIN PGP (PUBLIC|PRIVATE) KEY BLOCK-----[\s\S]*?-----END PGP \1 KEY BLOCK-----/g;

function crc24(data: Buffer): number {
  let crc = 0xb704ce;
  for (const byte of data) {
    crc ^= byte << 16;
    for (let i = 0; i < 8; i++) {
      crc <<= 1;
      if (crc & 0x1000000) crc ^= 0x1864cfb;
    }
  }
  return crc & 0xffffff;
}

/** Strictly decode one armored key block (RFC 9580 §6.2); anything unusual is unsupported. */
export function dearmorKeyBlock(block: string): Buffer {
  const lines = block.split('\n').map((l) => l.replace(/[ \t\r]+$/, ''));
  let i = 1;
  while (i < lines.length && lines[i] !== '') {
    if (!/^([^\s:]|[^\s:][^:]*[^\s:]): .+$/.test(lines[i]!))
      throw unsupported('armor header');
    i++;
  }
  const body: string[] = [];
  let checksum: string | undefined;
  for (i++; i < lines.length - 1; i++) {
    const line = lines[i]!;
    if (checksum === undefined && /^=[A-Za-z0-9+/]{4}$/.test(line)) {
      checksum = line.slice(1);
    } else if (checksum === undefined && /^[A-Za-z0-9+/]*={0,2}$/.test(line)) {
      body.push(line);
    } else throw unsupported('armor body');
  }
  const b64 = body.join('');
  const data = Buffer.from(b64, 'base64');
  if (data.length === 0 || data.toString('base64') !== b64) {
    throw unsupported('armor base64');
  }
  if (checksum !== undefined) {
    const want = Buffer.from(checksum, 'base64').readUIntBE(0, 3);
    if (crc24(data) !== want) throw unsupported('armor checksum');
  }
  return data;
}

/**
 * The binary key data of a key blob, as verifier.ts readKeyringBlob splits
 * it: the blob itself, or every ASCII-armored key block in it.
 */
export function keyBlobChunks(blob: Buffer): Buffer[] {
  const head = blob.subarray(0, 64).toString('latin1').trimStart();
  if (!head.startsWith('-----BEGIN')) return [blob];
  const blocks = blob.toString('utf8').match(ARMOR_BLOCK);
  if (!blocks) throw unsupported('no complete armored key block');
  return blocks.map(dearmorKeyBlock);
}
