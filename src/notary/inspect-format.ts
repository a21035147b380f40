/**
 * `docker trust inspect` output, byte for byte (SPEC §7.12): the JSON
 * array docker writes (Go encoding/json escaping, `json.Indent` with four
 * spaces, `[]` when nothing succeeded) and the `--pretty` tables (Go
 * text/tabwriter: min width 10, padding 3, spaces).
 */
import { naturalCompare, type TrustInspection } from './tuf/inspect-data.js';

/** What docker shows for a tag signed only by `targets` / `targets/releases`. */
export const REPO_ADMIN = 'Repo Admin';

/** One element of docker's JSON array, fields in docker's order. */
export interface DockerTrustRepo {
  Name: string;
  SignedTags: { SignedTag: string; Digest: string; Signers: string[] }[];
  Signers: { Name: string; Keys: { ID: string }[] }[];
  AdministrativeKeys: { Name: 'Root' | 'Repository'; Keys: { ID: string }[] }[];
}

/**
 * Keep only the rows of `tag` (docker inspects only that tag when the
 * image argument has one); undefined keeps everything.
 */
export function restrictToTag(
  data: TrustInspection,
  tag: string | undefined,
): TrustInspection {
  if (tag === undefined) return data;
  return { ...data, signedTags: data.signedTags.filter((r) => r.tag === tag) };
}

const keys = (ids: readonly string[]): { ID: string }[] =>
  ids.map((ID) => ({ ID }));

/** docker's JSON element for image argument `name` (as typed). */
export function dockerTrustRepo(
  name: string,
  data: TrustInspection,
): DockerTrustRepo {
  return {
    Name: name,
    SignedTags: data.signedTags.map((r) => ({
      SignedTag: r.tag,
      Digest: r.digest,
      Signers: r.signers.length > 0 ? [...r.signers] : [REPO_ADMIN],
    })),
    Signers: data.signers.map((s) => ({ Name: s.name, Keys: keys(s.keys) })),
    AdministrativeKeys: [
      { Name: 'Root', Keys: keys(data.rootKeys) },
      { Name: 'Repository', Keys: keys(data.repositoryKeys) },
    ],
  };
}

const hex = (n: number): string => n.toString(16).padStart(4, '0');

/**
 * A JSON string as Go's encoding/json writes it: `<`, `>`, `&`, U+2028 and
 * U+2029 as `\u` escapes, `\b \f \n \r \t` short forms, other control
 * characters `\u00xx`, lone surrogates (invalid UTF-8 in Go) as U+FFFD.
 */
export function goJSONString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out += s[i]! + s[i + 1]!;
        i++;
      } else {
        out += '\\ufffd';
      }
      continue;
    }
    if (c >= 0xdc00 && c <= 0xdfff) {
      out += '\\ufffd';
      continue;
    }
    switch (c) {
      case 0x22:
        out += '\\"';
        break;
      case 0x5c:
        out += '\\\\';
        break;
      case 0x08:
        out += '\\b';
        break;
      case 0x0c:
        out += '\\f';
        break;
      case 0x0a:
        out += '\\n';
        break;
      case 0x0d:
        out += '\\r';
        break;
      case 0x09:
        out += '\\t';
        break;
      default:
        if (
          c < 0x20 ||
          c === 0x3c ||
          c === 0x3e ||
          c === 0x26 ||
          c === 0x2028 ||
          c === 0x2029
        ) {
          out += `\\u${hex(c)}`;
        } else {
          out += s[i]!;
        }
    }
  }
  return `${out}"`;
}

type GoValue = string | GoValue[] | { [key: string]: GoValue };

/** Go's json.Marshal + json.Indent(prefix "", indent 4 spaces) of strings, arrays and objects. */
function indentJSON(value: GoValue, depth: number): string {
  if (typeof value === 'string') return goJSONString(value);
  const pad = '    '.repeat(depth + 1);
  const end = '    '.repeat(depth);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items = value.map((v) => pad + indentJSON(v, depth + 1));
    return `[\n${items.join(',\n')}\n${end}]`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return '{}';
  const items = entries.map(
    ([k, v]) => `${pad}${goJSONString(k)}: ${indentJSON(v, depth + 1)}`,
  );
  return `{\n${items.join(',\n')}\n${end}}`;
}

/** Everything `docker trust inspect` writes to stdout (without --pretty). */
export function formatTrustInspectJSON(
  elements: readonly DockerTrustRepo[],
): string {
  if (elements.length === 0) return '[]\n';
  return `${indentJSON(elements as unknown as GoValue[], 0)}\n`;
}

// Display widths as docker's tabwriter measures cells (go-runewidth
// StringWidth, non-East-Asian locale): per grapheme cluster, the width of
// its first rune that has one. Control, format and separator characters
// and non-spacing/enclosing marks are 0 wide; East Asian wide/fullwidth
// characters and emoji presentation 2; everything else 1. The wide ranges
// are the main blocks of Unicode's EastAsianWidth W/F, an approximation
// only reachable with non-ASCII target names (docker tags are ASCII).
const nonPrinting: readonly (readonly [number, number])[] = [
  [0x070f, 0x070f],
  [0x180b, 0x180e],
  [0x200b, 0x200f],
  [0x2028, 0x202e],
  [0x206a, 0x206f],
  [0xd800, 0xdfff],
  [0xfeff, 0xfeff],
  [0xfff9, 0xfffb],
  [0xfffe, 0xffff],
];
const mark = /^[\p{Mn}\p{Me}]$/u;
const wideRanges: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f],
  [0x2329, 0x232a],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xa960, 0xa97f],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe10, 0xfe19],
  [0xfe30, 0xfe6f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x16fe0, 0x16fe4],
  [0x17000, 0x18cff],
  [0x1b000, 0x1b2ff],
  [0x1f200, 0x1f251],
  [0x20000, 0x2fffd],
  [0x30000, 0x3fffd],
];
const emojiPresentation = /^\p{Emoji_Presentation}$/u;

function runeWidth(ch: string): number {
  const cp = ch.codePointAt(0)!;
  if (cp < 0x20) return 0;
  if (cp < 0x300) return cp >= 0x7f && (cp <= 0x9f || cp === 0xad) ? 0 : 1;
  const within = (r: readonly (readonly [number, number])[]): boolean =>
    r.some(([lo, hi]) => cp >= lo && cp <= hi);
  if (within(nonPrinting) || mark.test(ch)) return 0;
  if (within(wideRanges)) return 2;
  return emojiPresentation.test(ch) ? 2 : 1;
}

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** Cell width as docker's tabwriter counts it (ASCII: the length). */
export function displayWidth(s: string): number {
  if (/^[ -~]*$/.test(s)) return s.length;
  let width = 0;
  for (const { segment } of graphemes.segment(s)) {
    for (const ch of segment) {
      const w = runeWidth(ch);
      if (w > 0) {
        width += w;
        break;
      }
    }
  }
  return width;
}

/**
 * docker's fork of Go text/tabwriter (flags 0, pad char ' ', AlignLeft;
 * widths by displayWidth) over `text`: cells
 * end with `\t`; a column block is a run of consecutive lines having that
 * column; its width is the widest cell + `padding`, at least `minWidth`;
 * the last cell of a line is not aligned.
 */
export function tabwrite(text: string, minWidth = 10, padding = 3): string {
  const lines = text.split('\n').map((l) => l.split('\t'));
  const widths: number[] = [];
  let out = '';
  const writeLines = (from: number, to: number): void => {
    for (let i = from; i < to; i++) {
      const cells = lines[i]!;
      cells.forEach((cell, j) => {
        out += cell;
        const w = widths[j];
        if (j < cells.length - 1 && w !== undefined) {
          out += ' '.repeat(Math.max(0, w - displayWidth(cell)));
        }
      });
      if (i + 1 < lines.length) out += '\n';
    }
  };
  const format = (line0: number, line1: number): void => {
    const column = widths.length;
    for (let i = line0; i < line1; i++) {
      if (column >= lines[i]!.length - 1) continue;
      writeLines(line0, i);
      line0 = i;
      let width = minWidth;
      for (; i < line1 && column < lines[i]!.length - 1; i++) {
        width = Math.max(width, displayWidth(lines[i]![column]!) + padding);
      }
      widths.push(width);
      format(line0, i);
      widths.pop();
      line0 = i;
    }
    writeLines(line0, line1);
  };
  format(0, lines.length);
  return out;
}

const table = (rows: string[][]): string =>
  tabwrite(rows.map((r) => `${r.join('\t')}\n`).join(''));

const byteOrder = (a: string, b: string): number =>
  Buffer.compare(Buffer.from(a), Buffer.from(b));

/** docker's stringid.TruncateID: drop an `algo:` prefix, keep 12 characters. */
function truncateID(id: string): string {
  const colon = id.indexOf(':');
  return (colon >= 0 ? id.slice(colon + 1) : id).slice(0, 12);
}

/** `docker trust inspect --pretty` for one image argument `name`. */
export function formatTrustInspectPretty(
  name: string,
  data: TrustInspection,
): string {
  let out = '';
  if (data.signedTags.length > 0) {
    out += `\nSignatures for ${name}\n\n`;
    out += table([
      ['SIGNED TAG', 'DIGEST', 'SIGNERS'],
      ...data.signedTags.map((r) => [
        r.tag,
        r.digest,
        r.signers.length > 0
          ? [...r.signers].sort(byteOrder).join(', ')
          : `(${REPO_ADMIN})`,
      ]),
    ]);
  } else {
    out += `\nNo signatures for ${name}\n\n`;
  }
  if (data.signers.length > 0) {
    out += `\nList of signers and their keys for ${name}\n\n`;
    const signers = [...data.signers].sort((a, b) =>
      naturalCompare(a.name, b.name),
    );
    out += table([
      ['SIGNER', 'KEYS'],
      ...signers.map((s) => [
        s.name,
        [...s.keys].sort(byteOrder).map(truncateID).join(', '),
      ]),
    ]);
  }
  out += `\nAdministrative keys for ${name}\n\n`;
  const admin = (ids: readonly string[]): string =>
    [...ids].sort(byteOrder).join(', ');
  out += `  Repository Key:\t${admin(data.repositoryKeys)}\n`;
  out += `  Root Key:\t${admin(data.rootKeys)}\n`;
  return out;
}

/** Several `--pretty` blocks as docker joins them. */
export function joinPretty(blocks: readonly string[]): string {
  return blocks.join('\n\n');
}
