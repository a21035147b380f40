import { ImgsignError } from '../../errors.js';

/**
 * PEM blocks with RFC 1421 headers, as Go's encoding/pem reads and writes
 * them (notary and docker key files carry `role:` and `gun:` headers, the
 * legacy ones `Proc-Type:` and `DEK-Info:` too).
 */
export interface PemBlock {
  type: string;
  headers: Record<string, string>;
  bytes: Buffer;
}

const BEGIN = /-----BEGIN ([^-\r\n]+)-----\r?\n/;

/**
 * The first PEM block in `text`, or undefined if there is none. A block
 * whose body is not valid base64 is an error naming `what`.
 */
export function decodePem(text: string, what: string): PemBlock | undefined {
  const begin = BEGIN.exec(text);
  if (!begin) return undefined;
  const type = begin[1]!;
  const endMarker = `-----END ${type}-----`;
  const start = begin.index + begin[0].length;
  const end = text.indexOf(endMarker, start);
  if (end < 0) return undefined;
  const lines = text.slice(start, end).split(/\r?\n/);
  const headers: Record<string, string> = Object.create(null) as Record<
    string,
    string
  >;
  let i = 0;
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon < 0) break;
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  const body = lines.slice(i).join('').replace(/[ \t]/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length % 4 !== 0) {
    throw new ImgsignError(
      'KEY_INVALID',
      `${what}: the PEM block ${type} is not valid base64`,
    );
  }
  return { type, headers, bytes: Buffer.from(body, 'base64') };
}

/** Encode like Go's pem.Encode: Proc-Type first, other headers sorted, a blank line, 64-column base64. */
export function encodePem(block: PemBlock): string {
  let out = `-----BEGIN ${block.type}-----\n`;
  const names = Object.keys(block.headers).sort();
  if (names.length > 0) {
    const ordered = [
      ...names.filter((n) => n === 'Proc-Type'),
      ...names.filter((n) => n !== 'Proc-Type'),
    ];
    for (const name of ordered) out += `${name}: ${block.headers[name]}\n`;
    out += '\n';
  }
  const b64 = block.bytes.toString('base64');
  for (let i = 0; i < b64.length; i += 64) out += `${b64.slice(i, i + 64)}\n`;
  return `${out}-----END ${block.type}-----\n`;
}
