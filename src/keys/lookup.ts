import { ImgsignError } from '../errors.js';

/**
 * Which key a signing identity (`--sign-by`, `key export ID`) names: a
 * fingerprint (primary or subkey), a long key ID, an email address or a
 * user ID. More than one match is an error listing the candidates.
 */
export interface KeyDescriptor {
  fingerprint: string;
  keyIds: string[];
  subkeyFingerprints: string[];
  userIds: string[];
}

function hexQuery(query: string): string | undefined {
  const compact = query.replace(/\s+/g, '').replace(/^0x/i, '').toUpperCase();
  return /^[0-9A-F]+$/.test(compact) ? compact : undefined;
}

function emailOf(userId: string): string | undefined {
  const m = /<([^<>]+)>\s*$/.exec(userId);
  if (m) return m[1]!.toLowerCase();
  return userId.includes('@') && !userId.includes(' ')
    ? userId.toLowerCase()
    : undefined;
}

/** Keys matching `query`, most specific rule first (exact matches beat substrings). */
export function matchKeys<K extends KeyDescriptor>(
  keys: K[],
  query: string,
): K[] {
  const hex = hexQuery(query);
  if (hex !== undefined && (hex.length === 40 || hex.length === 64)) {
    return keys.filter(
      (k) => k.fingerprint === hex || k.subkeyFingerprints.includes(hex),
    );
  }
  if (hex !== undefined && hex.length === 16) {
    return keys.filter((k) => k.keyIds.includes(hex));
  }
  const q = query.trim();
  const email = q.replace(/^<|>$/g, '').toLowerCase();
  const rules: ((k: K) => boolean)[] = [
    (k) => k.userIds.includes(q),
    (k) => email.includes('@') && k.userIds.some((u) => emailOf(u) === email),
    (k) =>
      q !== '' &&
      k.userIds.some((u) => u.toLowerCase().includes(q.toLowerCase())),
  ];
  for (const rule of rules) {
    const found = keys.filter(rule);
    if (found.length > 0) return found;
  }
  return [];
}

/** Exactly one key for `query`, or KEY_NOT_FOUND / KEY_AMBIGUOUS. */
export function findOneKey<K extends KeyDescriptor>(
  keys: K[],
  query: string,
  where: string,
): K | undefined {
  const found = matchKeys(keys, query);
  const unique = found.filter(
    (k, i) => found.findIndex((o) => o.fingerprint === k.fingerprint) === i,
  );
  if (unique.length > 1) {
    throw new ImgsignError(
      'KEY_AMBIGUOUS',
      `"${query}" matches ${unique.length} keys in ${where}: ${unique
        .map((k) => `${k.fingerprint} (${k.userIds[0] ?? 'no user ID'})`)
        .join(', ')}; use a fingerprint`,
    );
  }
  return unique[0];
}
