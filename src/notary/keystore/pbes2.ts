import {
  createCipheriv,
  createDecipheriv,
  pbkdf2Sync,
  randomBytes,
} from 'node:crypto';
import { ImgsignError } from '../../errors.js';
import {
  TAG,
  children,
  encodeInt,
  encodeOctets,
  encodeOid,
  encodeSequence,
  expectTag,
  parseDer,
  readOid,
  readSmallInt,
} from '../der.js';

/**
 * PKCS#8 EncryptedPrivateKeyInfo with PBES2 (SPEC §7.9). We write what
 * notary writes: PBKDF2 with the default PRF (HMAC-SHA1, no PRF parameter),
 * an 8-byte salt, 2048 iterations and AES-256-CBC with a 16-byte IV. We
 * read that plus what `openssl pkcs8 -topk8 -v2 aes-…-cbc` writes
 * (HMAC-SHA256 PRF, AES-128/192-CBC).
 */
const PBES2 = '1.2.840.113549.1.5.13';
const PBKDF2 = '1.2.840.113549.1.5.12';
const PRF: Record<string, string> = {
  '1.2.840.113549.2.7': 'sha1',
  '1.2.840.113549.2.9': 'sha256',
  '1.2.840.113549.2.10': 'sha384',
  '1.2.840.113549.2.11': 'sha512',
};
const CIPHERS: Record<string, { name: string; keyLength: number }> = {
  '2.16.840.1.101.3.4.1.2': { name: 'aes-128-cbc', keyLength: 16 },
  '2.16.840.1.101.3.4.1.22': { name: 'aes-192-cbc', keyLength: 24 },
  '2.16.840.1.101.3.4.1.42': { name: 'aes-256-cbc', keyLength: 32 },
};
const AES_256_CBC = '2.16.840.1.101.3.4.1.42';

export const NOTARY_PBKDF2_ITERATIONS = 2048;
/** Refuse hostile iteration counts that would hang us (OpenSSL's default is 2048). */
const MAX_ITERATIONS = 10_000_000;
const MAX_SALT = 1024;

export interface EncryptOptions {
  /** Fixed salt/IV for tests; random otherwise. */
  salt?: Buffer;
  iv?: Buffer;
}

/** Encrypt a PrivateKeyInfo DER exactly as notary's convertTUFKeyToPKCS8Encrypted does. */
export function encryptPkcs8(
  plainDer: Buffer,
  passphrase: string,
  options: EncryptOptions = {},
): Buffer {
  const salt = options.salt ?? randomBytes(8);
  const iv = options.iv ?? randomBytes(16);
  const key = pbkdf2Sync(
    Buffer.from(passphrase, 'utf8'),
    salt,
    NOTARY_PBKDF2_ITERATIONS,
    32,
    'sha1',
  );
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plainDer), cipher.final()]);
  return encodeSequence(
    encodeSequence(
      encodeOid(PBES2),
      encodeSequence(
        encodeSequence(
          encodeOid(PBKDF2),
          encodeSequence(
            encodeOctets(salt),
            encodeInt(NOTARY_PBKDF2_ITERATIONS),
          ),
        ),
        encodeSequence(encodeOid(AES_256_CBC), encodeOctets(iv)),
      ),
    ),
    encodeOctets(ciphertext),
  );
}

function bad(what: string, detail: string): ImgsignError {
  return new ImgsignError(
    'KEY_INVALID',
    `${what}: unsupported or malformed encrypted PKCS#8 key: ${detail}`,
  );
}

/**
 * Decrypt an EncryptedPrivateKeyInfo; returns the inner PrivateKeyInfo DER
 * (not yet parsed). A padding failure means a wrong passphrase (PASSPHRASE);
 * malformed parameters (IV not 16 bytes, ciphertext not a multiple of the
 * block size, unknown algorithms) are KEY_INVALID.
 */
export function decryptPkcs8(
  untrustedDer: Buffer,
  passphrase: string,
  what: string,
): Buffer {
  const where = `${what} (encrypted PKCS#8)`;
  const [algorithm, data] = children(parseDer(untrustedDer, where), where);
  const algo = children(expectTag(algorithm, TAG.sequence, where), where);
  if (readOid(algo[0], where) !== PBES2)
    throw bad(what, 'only PBES2 is supported');
  const [kdf, scheme] = children(
    expectTag(algo[1], TAG.sequence, where),
    where,
  );
  const kdfParts = children(expectTag(kdf, TAG.sequence, where), where);
  if (readOid(kdfParts[0], where) !== PBKDF2)
    throw bad(what, 'only PBKDF2 is supported');
  const params = children(expectTag(kdfParts[1], TAG.sequence, where), where);
  const salt = expectTag(params[0], TAG.octetString, where).body;
  const iterations = readSmallInt(params[1], where);
  let prf = 'sha1';
  let keyLength: number | undefined;
  for (const extra of params.slice(2)) {
    if (extra.tag === TAG.integer) keyLength = readSmallInt(extra, where);
    else {
      const prfOid = readOid(
        children(expectTag(extra, TAG.sequence, where), where)[0],
        where,
      );
      const name = PRF[prfOid];
      if (!name) throw bad(what, `PBKDF2 PRF ${prfOid}`);
      prf = name;
    }
  }
  if (iterations < 1 || iterations > MAX_ITERATIONS) {
    throw bad(what, `PBKDF2 iteration count ${iterations}`);
  }
  if (salt.length === 0 || salt.length > MAX_SALT) {
    throw bad(what, `salt of ${salt.length} bytes`);
  }
  const schemeParts = children(expectTag(scheme, TAG.sequence, where), where);
  const cipherOid = readOid(schemeParts[0], where);
  const cipher = CIPHERS[cipherOid];
  if (!cipher) throw bad(what, `cipher ${cipherOid} (AES-CBC expected)`);
  if (keyLength !== undefined && keyLength !== cipher.keyLength) {
    throw bad(what, `key length ${keyLength} for ${cipher.name}`);
  }
  const iv = expectTag(schemeParts[1], TAG.octetString, where).body;
  if (iv.length !== 16)
    throw bad(what, `IV of ${iv.length} bytes (16 expected)`);
  const ciphertext = expectTag(data, TAG.octetString, where).body;
  if (ciphertext.length === 0 || ciphertext.length % 16 !== 0) {
    throw bad(
      what,
      `ciphertext of ${ciphertext.length} bytes is not a multiple of the AES block size`,
    );
  }
  const key = pbkdf2Sync(
    Buffer.from(passphrase, 'utf8'),
    salt,
    iterations,
    cipher.keyLength,
    prf,
  );
  try {
    const decipher = createDecipheriv(cipher.name, key, iv);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch (err) {
    throw wrongPassphrase(what, err);
  }
}

/** The error for a passphrase that does not decrypt `what`. */
export function wrongPassphrase(what: string, cause?: unknown): ImgsignError {
  return new ImgsignError(
    'PASSPHRASE',
    `cannot decrypt ${what}: wrong passphrase`,
    cause === undefined ? undefined : { cause },
  );
}
