/**
 * Field readers shared by the TUF role parsers (metadata.ts): RFC 3339
 * expiry times as Go writes them, FILEMETA, and typed member access whose
 * errors name the GUN, role file and field (SPEC §7.2).
 */
import { TrustError } from '../../errors.js';
import { decodeBase64 } from './keys.js';

/** Where a value sits, for error messages: `docker.io/x targets.json "expires"`. */
export class FieldContext {
  constructor(
    readonly gun: string,
    readonly role: string,
  ) {}

  fail(field: string, problem: string): never {
    throw new TrustError(
      'format',
      `${this.gun} ${this.role}.json: ${field ? `"${field}" ` : ''}${problem}`,
    );
  }

  object(v: unknown, field: string): Record<string, unknown> {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      this.fail(field, 'is not a JSON object');
    }
    return v as Record<string, unknown>;
  }

  array(v: unknown, field: string): unknown[] {
    if (!Array.isArray(v)) this.fail(field, 'is not a JSON array');
    return v as unknown[];
  }

  string(v: unknown, field: string): string {
    if (typeof v !== 'string') this.fail(field, 'is not a string');
    return v;
  }

  integer(v: unknown, field: string, min: number): number {
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
      this.fail(field, 'is not an integer');
    }
    if (v < min) this.fail(field, `must be at least ${min}`);
    return v;
  }

  stringList(v: unknown, field: string): string[] {
    return this.array(v, field).map((s, i) => this.string(s, `${field}[${i}]`));
  }
}

/** RFC 3339 with optional fraction (Go writes nanoseconds) and a `Z` or ±hh:mm offset. */
const rfc3339Re =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;

/** Parse an RFC 3339 time as Go's time.Time JSON decoding accepts it; undefined if invalid. */
export function parseRFC3339(s: string): Date | undefined {
  const m = rfc3339Re.exec(s);
  if (!m) return undefined;
  const n = m.slice(1, 7).map((x) => Number(x));
  const [y, mo, d, h, mi, se] = [n[0]!, n[1]!, n[2]!, n[3]!, n[4]!, n[5]!];
  const daysInMonth = new Date(Date.UTC(2000, mo, 0)).getUTCDate();
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  const maxDay = mo === 2 ? (leap ? 29 : 28) : daysInMonth;
  if (
    mo < 1 ||
    mo > 12 ||
    d < 1 ||
    d > maxDay ||
    h > 23 ||
    mi > 59 ||
    se > 59
  ) {
    return undefined;
  }
  let offsetMinutes = 0;
  if (m[8] === undefined) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, se, Math.floor(Number(`0.${m[7] ?? '0'}`) * 1000));
  return new Date(date.getTime() - offsetMinutes * 60_000);
}

/**
 * Format a time as Go's RFC3339Nano in UTC (`2036-11-23T02:50:21.123Z`,
 * trailing zeros of the fraction dropped).
 */
export function formatRFC3339(date: Date): string {
  const iso = date.toISOString(); // always .sssZ
  return iso.replace(/\.?0*Z$/, 'Z');
}

export type HashAlgorithm = 'sha256' | 'sha512';
export const HASH_LENGTHS: Record<HashAlgorithm, number> = {
  sha256: 32,
  sha512: 64,
};

/** FILEMETA: what a parent says about a file (SPEC §7.2). */
export interface FileMeta {
  length: number;
  /** Raw digests by algorithm name; sha256/sha512, when present, have the right length. */
  hashes: Record<string, Buffer>;
  custom?: unknown;
}

export interface FileMetaRules {
  /** Require a sha256 (snapshot's root/targets, timestamp's snapshot). */
  requireSha256?: boolean;
  /** Require at least one of sha256/sha512. */
  requireSupportedHash?: boolean;
}

/** Parse FILEMETA at `field`; hash values are base64 of raw digests. */
export function parseFileMeta(
  ctx: FieldContext,
  untrusted: unknown,
  field: string,
  rules: FileMetaRules = {},
): FileMeta {
  const o = ctx.object(untrusted, field);
  const length = ctx.integer(o.length, `${field}.length`, 0);
  const rawHashes = ctx.object(o.hashes ?? {}, `${field}.hashes`);
  const hashes: Record<string, Buffer> = Object.create(null) as Record<
    string,
    Buffer
  >;
  for (const [alg, value] of Object.entries(rawHashes)) {
    const where = `${field}.hashes.${alg}`;
    const bytes = decodeBase64(ctx.string(value, where));
    if (bytes === undefined) ctx.fail(where, 'is not base64');
    const want = HASH_LENGTHS[alg as HashAlgorithm] as number | undefined;
    if (want !== undefined && bytes.length !== want) {
      ctx.fail(where, `is ${bytes.length} bytes, a ${alg} digest is ${want}`);
    }
    hashes[alg] = bytes;
  }
  if (rules.requireSha256 && hashes.sha256 === undefined) {
    ctx.fail(`${field}.hashes`, 'has no sha256 checksum (required)');
  }
  if (
    rules.requireSupportedHash &&
    hashes.sha256 === undefined &&
    hashes.sha512 === undefined
  ) {
    ctx.fail(`${field}.hashes`, 'has neither a sha256 nor a sha512 checksum');
  }
  const meta: FileMeta = { length, hashes };
  if (o.custom !== undefined) meta.custom = o.custom;
  return meta;
}
