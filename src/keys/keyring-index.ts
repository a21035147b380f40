import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './files.js';
import type { KeyDescriptor } from './lookup.js';

/**
 * keys/index.json in the imgsign keyring: what a `--sign-by` lookup needs
 * of each public key file (fingerprints, key IDs, user IDs), with the
 * identity of the file it was read from (inode, size, modification time).
 * Finding the signing key then parses no key at all; parsing one costs
 * about a millisecond, so a large keyring made every signature slower
 * (issue 2). A file the index does not know, or that changed since, is
 * parsed as before and the index is rewritten.
 *
 * The index is derived data in the keyring's own 0700 directory: missing,
 * unreadable or malformed, it is ignored; not writable, it is not kept.
 * Verification never reads it: trusted keys always come from the key files.
 */

const INDEX_FILE = 'index.json';
const VERSION = 1;

interface IndexEntry extends KeyDescriptor {
  /** fileIdentity() of the public key file described. */
  file: string;
}

interface IndexFile {
  version: typeof VERSION;
  keys: Record<string, IndexEntry>;
}

/**
 * The identity of a file's content as far as stat() tells, or undefined
 * when it cannot be read (describe() then reports why). imgsign rewrites
 * key files through a temporary file and a rename, which changes the inode.
 */
function fileIdentity(path: string): string | undefined {
  try {
    const stats = statSync(path);
    return `${stats.ino}:${stats.size}:${stats.mtimeMs}`;
  } catch {
    return undefined;
  }
}

function readIndex(keysDir: string): Record<string, IndexEntry> {
  try {
    const parsed = JSON.parse(
      readFileSync(join(keysDir, INDEX_FILE), 'utf8'),
    ) as Partial<IndexFile>;
    if (parsed.version === VERSION && isRecord(parsed.keys)) {
      return parsed.keys;
    }
  } catch {
    // no index yet, or not one we can read: rebuilt below
  }
  return {};
}

function isRecord(value: unknown): value is Record<string, IndexEntry> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isEntry(value: IndexEntry | undefined): value is IndexEntry {
  return (
    value !== undefined &&
    typeof value.fingerprint === 'string' &&
    typeof value.file === 'string' &&
    [value.keyIds, value.subkeyFingerprints, value.userIds].every(
      (list) =>
        Array.isArray(list) && list.every((item) => typeof item === 'string'),
    )
  );
}

function descriptorOf(key: KeyDescriptor): KeyDescriptor {
  return {
    fingerprint: key.fingerprint,
    keyIds: key.keyIds,
    subkeyFingerprints: key.subkeyFingerprints,
    userIds: key.userIds,
  };
}

/**
 * A descriptor for each fingerprint in `fingerprints` (whose public key
 * files are `<FPR>.pub` in `keysDir`), from the index where it is current,
 * otherwise from `describe` (undefined: the file holds no usable key).
 */
export async function describeIndexed(
  keysDir: string,
  fingerprints: string[],
  describe: (path: string) => Promise<KeyDescriptor | undefined>,
): Promise<KeyDescriptor[]> {
  const known = readIndex(keysDir);
  const fresh: Record<string, IndexEntry> = {};
  let changed = Object.keys(known).length !== fingerprints.length;
  const out: KeyDescriptor[] = [];
  for (const fingerprint of fingerprints) {
    const path = join(keysDir, `${fingerprint}.pub`);
    const file = fileIdentity(path);
    let entry = known[fingerprint];
    if (file === undefined || !isEntry(entry) || entry.file !== file) {
      changed = true;
      const key = await describe(path);
      if (key === undefined) continue;
      entry = { ...descriptorOf(key), file: file ?? '' };
    }
    fresh[fingerprint] = entry;
    out.push(descriptorOf(entry));
  }
  if (changed) {
    const index: IndexFile = { version: VERSION, keys: fresh };
    await writeFileAtomic(
      join(keysDir, INDEX_FILE),
      `${JSON.stringify(index)}\n`,
      { mode: 0o600 },
    ).catch(() => undefined); // a read-only keyring still works, unindexed
  }
  return out;
}
