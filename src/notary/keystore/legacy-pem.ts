import { createDecipheriv, createHash, createPrivateKey } from 'node:crypto';
import { ImgsignError } from '../../errors.js';
import type { PemBlock } from './pem.js';
import { wrongPassphrase } from './pbes2.js';
import {
  ed25519FromNotaryBytes,
  tufPrivateKeyFromKeyObject,
  type TufPrivateKey,
} from './tuf-private-key.js';

/**
 * Pre-PKCS#8 notary key files (SPEC §7.9): `EC PRIVATE KEY` (SEC1), `RSA
 * PRIVATE KEY` (PKCS#1) and `ED25519 PRIVATE KEY` (notary's 96 bytes),
 * optionally encrypted the OpenSSL way (`Proc-Type: 4,ENCRYPTED`,
 * `DEK-Info: CIPHER,HEXIV`, key from EVP_BytesToKey with MD5 and the first
 * 8 IV bytes as salt). Read only: we never write this format.
 */
export const LEGACY_TYPES = [
  'EC PRIVATE KEY',
  'RSA PRIVATE KEY',
  'ED25519 PRIVATE KEY',
] as const;

const DEK_CIPHERS: Record<
  string,
  { name: string; keyLength: number; ivLength: number }
> = {
  'DES-CBC': { name: 'des-cbc', keyLength: 8, ivLength: 8 },
  'DES-EDE3-CBC': { name: 'des-ede3-cbc', keyLength: 24, ivLength: 8 },
  'AES-128-CBC': { name: 'aes-128-cbc', keyLength: 16, ivLength: 16 },
  'AES-192-CBC': { name: 'aes-192-cbc', keyLength: 24, ivLength: 16 },
  'AES-256-CBC': { name: 'aes-256-cbc', keyLength: 32, ivLength: 16 },
};

/** Whether the block carries OpenSSL PEM encryption. */
export function isLegacyEncrypted(block: PemBlock): boolean {
  return (block.headers['Proc-Type'] ?? '').includes('ENCRYPTED');
}

/** OpenSSL's EVP_BytesToKey with MD5 and one round. */
function bytesToKey(password: Buffer, salt: Buffer, length: number): Buffer {
  const parts: Buffer[] = [];
  let prev = Buffer.alloc(0);
  let total = 0;
  while (total < length) {
    prev = createHash('md5')
      .update(Buffer.concat([prev, password, salt]))
      .digest();
    parts.push(prev);
    total += prev.length;
  }
  return Buffer.concat(parts).subarray(0, length);
}

function decryptBody(
  block: PemBlock,
  passphrase: string,
  what: string,
): Buffer {
  const dek = block.headers['DEK-Info'] ?? '';
  const [cipherName = '', hexIv = ''] = dek.split(',').map((s) => s.trim());
  const cipher = DEK_CIPHERS[cipherName.toUpperCase()];
  if (!cipher) {
    throw new ImgsignError(
      'KEY_INVALID',
      `${what}: unsupported DEK-Info cipher ${JSON.stringify(cipherName)}`,
    );
  }
  if (!/^[0-9a-fA-F]*$/.test(hexIv) || hexIv.length !== cipher.ivLength * 2) {
    throw new ImgsignError(
      'KEY_INVALID',
      `${what}: DEK-Info IV must be ${cipher.ivLength} bytes of hex`,
    );
  }
  const iv = Buffer.from(hexIv, 'hex');
  if (block.bytes.length === 0 || block.bytes.length % cipher.ivLength !== 0) {
    throw new ImgsignError(
      'KEY_INVALID',
      `${what}: encrypted body of ${block.bytes.length} bytes is not a multiple of the ${cipherName} block size`,
    );
  }
  const key = bytesToKey(
    Buffer.from(passphrase, 'utf8'),
    iv.subarray(0, 8),
    cipher.keyLength,
  );
  let decipher;
  try {
    decipher = createDecipheriv(cipher.name, key, iv);
  } catch (err) {
    throw new ImgsignError(
      'UNSUPPORTED',
      `${what}: cipher ${cipherName} is not available in this Node.js`,
      { cause: err },
    );
  }
  try {
    return Buffer.concat([decipher.update(block.bytes), decipher.final()]);
  } catch (err) {
    throw wrongPassphrase(what, err);
  }
}

/** Parse a legacy block; `passphrase` is only used if it is encrypted. */
export function parseLegacyPrivateKey(
  block: PemBlock,
  passphrase: string | undefined,
  what: string,
): TufPrivateKey {
  const encrypted = isLegacyEncrypted(block);
  if (encrypted && passphrase === undefined) {
    throw new ImgsignError(
      'PASSPHRASE',
      `${what} is encrypted: a passphrase is needed`,
    );
  }
  const der = encrypted
    ? decryptBody(block, passphrase ?? '', what)
    : block.bytes;
  let key;
  try {
    if (block.type === 'ED25519 PRIVATE KEY') {
      return ed25519FromNotaryBytes(der, what);
    }
    key = createPrivateKey({
      key: der,
      format: 'der',
      type: block.type === 'RSA PRIVATE KEY' ? 'pkcs1' : 'sec1',
    });
  } catch (err) {
    // Garbage after a lucky padding check is a wrong passphrase too.
    if (encrypted) throw wrongPassphrase(what, err);
    if (err instanceof ImgsignError) throw err;
    throw new ImgsignError('KEY_INVALID', `${what}: invalid ${block.type}`, {
      cause: err,
    });
  }
  return tufPrivateKeyFromKeyObject(key, what);
}
