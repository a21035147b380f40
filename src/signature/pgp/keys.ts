import type { Key } from 'openpgp';
import { ImgsignError, describeError } from '../../errors.js';
import { describeKeyNatively } from './native/describe.js';
import { UnsupportedOpenPGPError } from './native/key-packet.js';
import { loadOpenPGP } from './openpgp.js';

/**
 * Key material as the keyring (src/keys/) needs it, so that only this
 * directory touches openpgp. Secret keys are kept exactly as given
 * (still encrypted with the user's passphrase).
 */
export interface KeyMaterial {
  /** Primary fingerprint, uppercase hex. */
  fingerprint: string;
  /** Long key IDs (16 uppercase hex): primary first, then subkeys. */
  keyIds: string[];
  subkeyFingerprints: string[];
  userIds: string[];
  /** e.g. `rsa3072`, `ed25519`. */
  algorithm: string;
  created: Date;
  /** Primary key expiry; undefined = never. */
  expires?: Date;
  isPrivate: boolean;
  /** Secret key material is passphrase-protected. */
  isEncrypted: boolean;
  /** Binary transferable public key. */
  publicKey: Buffer;
  /** Binary transferable secret key, as given. */
  secretKey?: Buffer;
}

function algorithmName(key: Key): string {
  const info = key.getAlgorithmInfo() as {
    algorithm: string;
    bits?: number;
    curve?: string;
  };
  if (info.algorithm.startsWith('rsa')) return `rsa${info.bits ?? ''}`;
  if (info.curve !== undefined) return info.curve.replace(/Legacy$/, '');
  return info.algorithm;
}

async function describe(key: Key): Promise<KeyMaterial> {
  const all = key.getKeys();
  let expires: Date | undefined;
  try {
    const e = await key.getExpirationTime();
    if (e instanceof Date) expires = e;
  } catch {
    // no valid self-signature: leave undefined, verification will reject it
  }
  const isPrivate = key.isPrivate();
  return {
    fingerprint: key.getFingerprint().toUpperCase(),
    keyIds: all.map((k) => k.getKeyID().toHex().toUpperCase()),
    subkeyFingerprints: key.subkeys.map((s) =>
      s.getFingerprint().toUpperCase(),
    ),
    userIds: key.getUserIDs(),
    algorithm: algorithmName(key),
    created: key.getCreationTime(),
    ...(expires !== undefined ? { expires } : {}),
    isPrivate,
    isEncrypted: isPrivate && !key.isDecrypted(),
    publicKey: Buffer.from(key.toPublic().write()),
    ...(isPrivate ? { secretKey: Buffer.from(key.write()) } : {}),
  };
}

/**
 * Every key in an armored or binary blob, public or secret. Common keys are
 * described natively (native/describe.ts, no openpgp.js load); the rest,
 * and every error, through openpgp.js.
 */
export async function readKeyMaterial(
  blob: Buffer,
  what: string,
): Promise<KeyMaterial[]> {
  try {
    return describeKeyNatively(blob);
  } catch (err) {
    if (!(err instanceof UnsupportedOpenPGPError)) throw err;
  }
  return readKeyMaterialWithOpenPGP(blob, what);
}

/** readKeyMaterial through openpgp.js only (the reference for the native path). */
export async function readKeyMaterialWithOpenPGP(
  blob: Buffer,
  what: string,
): Promise<KeyMaterial[]> {
  const openpgp = await loadOpenPGP();
  const head = blob.subarray(0, 64).toString('latin1').trimStart();
  let keys: Key[];
  try {
    if (head.startsWith('-----BEGIN')) {
      const blocks = blob
        .toString('utf8')
        .match(
          /-----BEGIN PGP (PUBLIC|PRIVATE) KEY BLOCK-----[\s\S]*?-----END PGP \1 KEY BLOCK-----/g,
        );
      if (!blocks) throw new Error('no complete ASCII-armored key block');
      keys = [];
      for (const armoredKeys of blocks) {
        keys.push(...(await openpgp.readKeys({ armoredKeys })));
      }
    } else {
      keys = await openpgp.readKeys({ binaryKeys: new Uint8Array(blob) });
    }
  } catch (err) {
    throw new ImgsignError(
      'KEY_INVALID',
      `${what} does not contain valid OpenPGP keys: ${describeError(err)}`,
      { cause: err },
    );
  }
  if (keys.length === 0) {
    throw new ImgsignError('KEY_INVALID', `${what} contains no OpenPGP keys`);
  }
  return Promise.all(keys.map(describe));
}

/** ASCII armor for a binary key. */
export async function armorKey(
  binary: Buffer,
  secret: boolean,
): Promise<string> {
  const openpgp = await loadOpenPGP();
  const [key] = await openpgp.readKeys({ binaryKeys: new Uint8Array(binary) });
  if (!key) throw new ImgsignError('KEY_INVALID', 'empty key file');
  return secret ? key.armor() : key.toPublic().armor();
}

/** `existing` public key updated with new signatures/subkeys/revocations from `incoming`. */
export async function mergePublicKeys(
  existing: Buffer,
  incoming: Buffer,
): Promise<Buffer> {
  const openpgp = await loadOpenPGP();
  const a = await openpgp.readKey({ binaryKey: new Uint8Array(existing) });
  const b = await openpgp.readKey({ binaryKey: new Uint8Array(incoming) });
  const merged = await a.update(b);
  return Buffer.from(merged.toPublic().write());
}

export type GeneratedKeyType = 'ed25519' | 'rsa4096';

/**
 * A new V4 key that gpg 2.2 and skopeo understand: EdDSA (legacy ed25519)
 * or RSA-4096 primary that signs, with an encryption subkey.
 */
export async function generateKeyMaterial(options: {
  name: string;
  email: string;
  type: GeneratedKeyType;
  passphrase?: string;
}): Promise<KeyMaterial> {
  const openpgp = await loadOpenPGP();
  const typeOptions =
    options.type === 'rsa4096'
      ? { type: 'rsa' as const, rsaBits: 4096 }
      : { type: 'ecc' as const, curve: 'ed25519Legacy' as const };
  const { privateKey } = await openpgp.generateKey({
    userIDs: [{ name: options.name, email: options.email }],
    ...typeOptions,
    ...(options.passphrase !== undefined
      ? { passphrase: options.passphrase }
      : {}),
    format: 'object',
  });
  return describe(privateKey);
}
