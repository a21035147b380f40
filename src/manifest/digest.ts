import { createHash } from 'node:crypto';
import { ImgsignError, describeError } from '../errors.js';
import { MediaType } from './media-types.js';

/**
 * Manifest digests as containers/image computes them (SPEC §2): sha256 over
 * the exact bytes, except signed schema1 manifests, whose JWS signatures are
 * stripped first (libtrust "pretty signature" payload). Never re-serialises.
 */

const knownTypes: ReadonlySet<string> = new Set([
  MediaType.dockerV2Schema2,
  MediaType.dockerV2List,
  MediaType.ociManifest,
  MediaType.ociIndex,
]);

/** Go's json.Unmarshal into a struct: exact key first, then case-insensitive. */
function member(obj: Record<string, unknown>, key: string): unknown {
  if (Object.hasOwn(obj, key)) return obj[key];
  const lower = key.toLowerCase();
  for (const k of Object.keys(obj))
    if (k.toLowerCase() === lower) return obj[k];
  return undefined;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** GuessMIMEType, reduced to the one question that matters for digests. */
function isSignedSchema1(bytes: Buffer): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    return false;
  }
  if (!isPlainObject(parsed)) return false;
  const mediaType = member(parsed, 'mediaType');
  if (mediaType !== undefined && mediaType !== null) {
    if (typeof mediaType !== 'string') return false;
    if (knownTypes.has(mediaType)) return false;
  }
  const version = member(parsed, 'schemaVersion');
  if (version !== 1) return false;
  const signatures = member(parsed, 'signatures');
  return signatures !== undefined && signatures !== null;
}

/** libtrust joseBase64UrlDecode: newlines/spaces ignored, padding optional, strict alphabet. */
function joseBase64UrlDecode(s: string, what: string): Buffer {
  let t = s.replace(/[\n ]/g, '');
  switch (t.length % 4) {
    case 0:
      break;
    case 2:
      t += '==';
      break;
    case 3:
      t += '=';
      break;
    default:
      throw new Error(`${what} is not valid base64url`);
  }
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(t)) {
    throw new Error(`${what} is not valid base64url`);
  }
  return Buffer.from(t, 'base64url');
}

/** The bytes a signed schema1 manifest's JWS signs (ParsePrettySignature + Payload). */
function schema1Payload(bytes: Buffer): Buffer {
  const top = JSON.parse(bytes.toString('utf8')) as unknown;
  if (!isPlainObject(top)) throw new Error('manifest is not a JSON object');
  const signatures = top['signatures'];
  if (!Array.isArray(signatures)) {
    throw new Error('"signatures" is not an array');
  }
  let formatLength = 0;
  let formatTail: Buffer | undefined;
  signatures.forEach((sig: unknown, i) => {
    if (!isPlainObject(sig))
      throw new Error(`signatures[${i}] is not an object`);
    const protectedValue = member(sig, 'protected');
    if (typeof protectedValue !== 'string') {
      throw new Error(`signatures[${i}].protected is not a string`);
    }
    const header = JSON.parse(
      joseBase64UrlDecode(
        protectedValue,
        `signatures[${i}].protected`,
      ).toString('utf8'),
    ) as unknown;
    if (!isPlainObject(header)) {
      throw new Error(`signatures[${i}].protected is not a JSON object`);
    }
    const length = member(header, 'formatLength') ?? 0;
    if (typeof length !== 'number' || !Number.isSafeInteger(length)) {
      throw new Error(`signatures[${i}] formatLength is not an integer`);
    }
    if (length < 0)
      throw new Error(`signatures[${i}] formatLength is negative`);
    const tailValue = member(header, 'formatTail') ?? '';
    if (typeof tailValue !== 'string') {
      throw new Error(`signatures[${i}] formatTail is not a string`);
    }
    const tail = joseBase64UrlDecode(tailValue, `signatures[${i}] formatTail`);
    if (formatLength === 0) formatLength = length;
    else if (length !== formatLength) {
      throw new Error('signatures disagree on formatLength');
    }
    if (formatTail === undefined) formatTail = tail;
    else if (!formatTail.equals(tail)) {
      throw new Error('signatures disagree on formatTail');
    }
  });
  if (formatLength > bytes.length) {
    throw new Error(
      `formatLength ${formatLength} exceeds the manifest length ${bytes.length}`,
    );
  }
  return Buffer.concat([
    bytes.subarray(0, formatLength),
    formatTail ?? Buffer.alloc(0),
  ]);
}

/**
 * The digest containers/image assigns to `bytes` (SPEC §2).
 * Throws ImgsignError('INVALID_MANIFEST') for a signed schema1 manifest whose
 * JWS cannot be parsed.
 */
export function manifestDigest(bytes: Buffer): string {
  let payload = bytes;
  if (isSignedSchema1(bytes)) {
    try {
      payload = schema1Payload(bytes);
    } catch (err) {
      throw new ImgsignError(
        'INVALID_MANIFEST',
        `computing the digest of a signed schema1 manifest: ${describeError(err)}`,
        { cause: err },
      );
    }
  }
  return `sha256:${createHash('sha256').update(payload).digest('hex')}`;
}

/**
 * MatchesDigest: whether `expected` is exactly the manifest's digest. Never
 * throws; an uncomputable digest, another algorithm, uppercase or truncated
 * hex all give false.
 */
export function matchesDigest(bytes: Buffer, expected: string): boolean {
  try {
    return manifestDigest(bytes) === expected;
  } catch {
    return false;
  }
}

/** The manifest's digest for an error message: never throws, says why it has none. */
export function describeManifestDigest(bytes: Buffer): string {
  try {
    return manifestDigest(bytes);
  } catch (err) {
    return `an uncomputable digest (${describeError(err)})`;
  }
}
