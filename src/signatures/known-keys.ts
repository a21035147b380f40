import { Keyring, MAX_KEY_FILE_BYTES } from '../keys/keyring.js';
import { readBoundedFile } from '../keys/files.js';
import { exportGnuPGPublicKeys } from '../keys/gnupg.js';
import { decodeSignatureBlob } from '../signature/blob.js';
import { untrustedSignatureContents } from '../signature/pgp/untrusted.js';
import { readKeyMaterial, type KeyMaterial } from '../signature/pgp/keys.js';
import type { SystemContext } from '../system-context.js';

/** A public key a signature may be checked against, and where it came from. */
export interface KnownKey {
  fingerprint: string;
  keyIds: string[];
  userIds: string[];
  publicKey: Buffer;
  /** `imgsign keyring DIR` or the --public-key-file path. */
  source: string;
}

function known(m: KeyMaterial, source: string): KnownKey {
  return {
    fingerprint: m.fingerprint,
    keyIds: m.keyIds,
    userIds: m.userIds,
    publicKey: m.publicKey,
    source,
  };
}

/**
 * Keys `signatures list/attach` recognise signers by: every key of the
 * given public key files, then the imgsign keyring (a missing keyring is
 * empty). A key ID found here only says which key to TRY: a signature is
 * attributed to a key only after it verifies with it.
 */
export async function loadKnownKeys(
  publicKeyFiles: string[],
  sys: SystemContext,
): Promise<KnownKey[]> {
  const keys: KnownKey[] = [];
  for (const file of publicKeyFiles) {
    const blob = await readBoundedFile(
      file,
      16 * MAX_KEY_FILE_BYTES,
      'public key file',
    );
    for (const m of await readKeyMaterial(blob, `public key file ${file}`)) {
      keys.push(known(m, file));
    }
  }
  if (sys.imgsignHome !== undefined || sys.homeDir !== undefined) {
    const keyring = Keyring.forSystem(sys);
    for (const m of await keyring.list()) {
      keys.push(known(m, `imgsign keyring ${keyring.dir}`));
    }
  }
  return keys;
}

/** Keys having the (untrusted) 16-hex key ID a signature names. */
export function keysWithId(keys: KnownKey[], keyId: string): KnownKey[] {
  const id = keyId.toUpperCase();
  return keys.filter((k) => k.keyIds.includes(id));
}

/**
 * `keys` plus, for signers none of them has, the public keys GnuPG
 * (`sys.gnupgHome`) holds for those key IDs: skopeo users keep their keys
 * there. GnuPG missing or not knowing a key is not an error.
 */
export async function withGnuPGKeysFor(
  keys: KnownKey[],
  untrustedSignatures: Buffer[],
  sys: SystemContext,
): Promise<KnownKey[]> {
  if (sys.gnupgHome === undefined) return keys;
  const missing = new Set<string>();
  for (const blob of untrustedSignatures) {
    try {
      const id = untrustedSignatureContents(
        decodeSignatureBlob(blob).payload,
      ).shortKeyIdentifier;
      if (/^[0-9A-F]{16}$/.test(id) && keysWithId(keys, id).length === 0)
        missing.add(id);
    } catch {
      // Unreadable: reported by inspectSignature.
    }
  }
  if (missing.size === 0) return keys;
  let blob: Buffer;
  try {
    blob = await exportGnuPGPublicKeys([...missing], sys.gnupgHome);
  } catch {
    return keys;
  }
  if (blob.length === 0) return keys;
  const found = await readKeyMaterial(blob, `GnuPG keys from ${sys.gnupgHome}`);
  return [...keys, ...found.map((m) => known(m, `GnuPG ${sys.gnupgHome}`))];
}
