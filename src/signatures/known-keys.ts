import { Keyring, MAX_KEY_FILE_BYTES } from '../keys/keyring.js';
import { readBoundedFile } from '../keys/files.js';
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
