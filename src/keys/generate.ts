import { ImgsignError } from '../errors.js';
import {
  generateKeyMaterial,
  type GeneratedKeyType,
} from '../signature/pgp/keys.js';
import type { Keyring, KeyringEntry } from './keyring.js';

/** `imgsign key generate`: a new signing key stored in the keyring. */
export interface GenerateKeyOptions {
  name: string;
  email: string;
  type?: GeneratedKeyType;
  /** Protects the stored secret key; undefined = unprotected (CI keys). */
  passphrase?: string;
}

export async function generateKey(
  keyring: Keyring,
  options: GenerateKeyOptions,
): Promise<KeyringEntry> {
  if (
    options.name.trim() === '' ||
    !/^[^\s@<>]+@[^\s@<>]+$/.test(options.email)
  ) {
    throw new ImgsignError(
      'USAGE',
      `key generate needs a non-empty --name and a valid --email (got "${options.email}")`,
    );
  }
  const material = await generateKeyMaterial({
    name: options.name,
    email: options.email,
    type: options.type ?? 'ed25519',
    ...(options.passphrase !== undefined
      ? { passphrase: options.passphrase }
      : {}),
  });
  const [entry] = await keyring.add([material]);
  return entry!;
}
