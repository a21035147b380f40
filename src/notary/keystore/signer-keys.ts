import { generateKeyPairSync } from 'node:crypto';
import { lstat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describeError, ImgsignError } from '../../errors.js';
import { writeFileAtomic } from '../../internal/atomic-file.js';
import {
  encodePublicKeyPem,
  keyFileAttributes,
  parsePrivateKeyBlock,
  privateKeyBlock,
} from './key-file.js';
import { readOwnerOnlyFile } from './owner-only-file.js';
import { withPassphrase, type PassphraseRetriever } from './passphrase.js';
import type { TrustKeyStore } from './store.js';
import { tufPrivateKeyFromKeyObject } from './tuf-private-key.js';

/**
 * `docker trust key generate` and `docker trust key load` (SPEC §7.11):
 * signer keys in the local trust directory, named by their role.
 */
const KEY_NAME = /^[a-z0-9][a-z0-9_-]*$/;

/**
 * Key names as docker accepts them. `releases` is a valid key name (docker
 * allows it here); only `signer add` refuses it as a signer name.
 */
export function validateKeyName(name: string): void {
  if (!KEY_NAME.test(name)) {
    throw new ImgsignError(
      'USAGE',
      `key name ${JSON.stringify(name)} must start with a lowercase letter or digit and contain only lowercase letters, digits, "-" and "_"`,
    );
  }
}

export interface SignerKeyResult {
  /** Canonical key ID. */
  keyId: string;
  role: string;
  /** private/<keyId>.key in the trust directory. */
  privateKeyFile: string;
}

export interface GenerateSignerKeyOptions {
  name: string;
  /** Where NAME.pub goes. */
  dir: string;
  passphrase: PassphraseRetriever;
  /** Called once the name and NAME.pub are checked, before the passphrase is asked for. */
  onStart?: () => void;
}

export interface GeneratedSignerKey extends SignerKeyResult {
  publicKeyFile: string;
}

/**
 * New P-256 key stored with `role: NAME`; writes DIR/NAME.pub (0600, PEM
 * `PUBLIC KEY` with `role: NAME`). Fails if DIR/NAME.pub exists.
 */
export async function generateSignerKey(
  store: TrustKeyStore,
  options: GenerateSignerKeyOptions,
): Promise<GeneratedSignerKey> {
  validateKeyName(options.name);
  const publicKeyFile = resolve(options.dir, `${options.name}.pub`);
  const exists = await lstat(publicKeyFile).then(
    () => true,
    () => false,
  );
  if (exists) {
    throw new ImgsignError(
      'USAGE',
      `public key file already exists: ${publicKeyFile}; choose another name or remove it`,
    );
  }
  options.onStart?.();
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const key = tufPrivateKeyFromKeyObject(privateKey, 'new key');
  const info = await store.addKey(key, {
    role: options.name,
    passphrase: options.passphrase,
  });
  await writeFileAtomic(publicKeyFile, encodePublicKeyPem(key, options.name), {
    mode: 0o600,
    exactMode: true,
  });
  return {
    keyId: key.id,
    role: options.name,
    privateKeyFile: info.path,
    publicKeyFile,
  };
}

export interface LoadSignerKeyOptions {
  /** The private key file to import. */
  file: string;
  /** Role to store it under (docker's default is `signer`). */
  name: string;
  /** Decrypts an encrypted input file (request role `encrypted`) and encrypts the stored copy. */
  passphrase: PassphraseRetriever;
}

export interface LoadedSignerKey extends SignerKeyResult {
  /** The file that was imported. */
  file: string;
}

/**
 * Import a private key file (PKCS#8, encrypted or not, or a legacy EC/RSA
 * block) into the store with `role: NAME`, re-encrypted. The file must not
 * be readable or writable by group or others.
 */
export async function loadSignerKey(
  store: TrustKeyStore,
  options: LoadSignerKeyOptions,
): Promise<LoadedSignerKey> {
  validateKeyName(options.name);
  const what = options.file;
  const untrustedText = (await readOwnerOnlyFile(options.file)).toString(
    'utf8',
  );
  let attributes;
  try {
    attributes = keyFileAttributes(untrustedText, what);
  } catch (err) {
    throw new ImgsignError(
      'KEY_INVALID',
      `${what} is not a supported private key (to add a signer's public key use imgsign trust signer add): ${describeError(err)}`,
      { cause: err },
    );
  }
  const block = privateKeyBlock(untrustedText, what);
  const key = attributes.encrypted
    ? await withPassphrase(
        options.passphrase,
        { keyId: '', role: 'encrypted', createNew: false },
        (p) => parsePrivateKeyBlock(block, p, what),
      )
    : parsePrivateKeyBlock(block, undefined, what);
  const info = await store.addKey(key, {
    role: options.name,
    passphrase: options.passphrase,
  });
  return {
    keyId: key.id,
    role: options.name,
    privateKeyFile: info.path,
    file: options.file,
  };
}
