import type { PrivateKey } from 'openpgp';
import { ImgsignError, describeError } from '../../errors.js';
import type { SigningMechanism } from '../mechanism.js';
import { readKeyBlobNatively } from './native/key-blob.js';
import { UnsupportedOpenPGPError } from './native/key-packet.js';
import { primarySigningCertification } from './native/key-validity.js';
import { unlockSecretKey } from './native/secret-key.js';
import { nativeSign, preferredHashAlgorithm } from './native/sign.js';
import { loadOpenPGP } from './openpgp.js';

/**
 * Signing with openpgp.js for keys imgsign holds itself (its keyring or
 * `--sign-by-key-file`). Produces a binary signed message (one-pass
 * signature, literal data, signature): not detached, not cleartext, not
 * armored, which gpg, gpgme and skopeo accept (SPEC §1.3).
 */
export interface PGPSigner extends SigningMechanism {
  /** Primary key fingerprint, 40 uppercase hex. */
  fingerprint: string;
  /** First user ID of the key, if any. */
  userId?: string;
}

/** Asks a human for a passphrase; undefined when there is no terminal to ask on. */
export type PassphrasePrompt = (prompt: string) => Promise<string | undefined>;

/** Read one private key (armored or binary); `what` names its origin in messages. */
export async function readPrivateKeyBlob(
  blob: Buffer,
  what: string,
): Promise<PrivateKey> {
  const openpgp = await loadOpenPGP();
  const text = blob.subarray(0, 64).toString('latin1').trimStart();
  try {
    const keys = text.startsWith('-----BEGIN')
      ? await openpgp.readPrivateKeys({ armoredKeys: blob.toString('utf8') })
      : await openpgp.readPrivateKeys({ binaryKeys: new Uint8Array(blob) });
    if (keys.length !== 1) {
      throw new Error(`expected exactly one private key, found ${keys.length}`);
    }
    return keys[0]!;
  } catch (err) {
    throw new ImgsignError(
      'KEY_INVALID',
      `${what} is not an OpenPGP private key: ${describeError(err)}`,
      { cause: err },
    );
  }
}

/** Decrypt `key` with `passphrase` when it is protected. */
export async function unlockPrivateKey(
  key: PrivateKey,
  passphrase: string | undefined,
  what: string,
  ask?: PassphrasePrompt,
): Promise<PrivateKey> {
  if (key.isDecrypted()) return key;
  if (passphrase === undefined && ask !== undefined) {
    passphrase = await ask(`Passphrase for ${what}: `);
  }
  if (passphrase === undefined) {
    throw new ImgsignError(
      'PASSPHRASE',
      `${what} is protected by a passphrase: pass it with --passphrase-file, --passphrase-fd or --passphrase-env`,
    );
  }
  const openpgp = await loadOpenPGP();
  try {
    return await openpgp.decryptKey({ privateKey: key, passphrase });
  } catch (err) {
    throw new ImgsignError(
      'PASSPHRASE',
      `cannot unlock ${what}: wrong passphrase (${describeError(err)})`,
      { cause: err },
    );
  }
}

/**
 * A signer for one private key (armored or binary). The common case (a V4
 * RSA/ECDSA/EdDSA primary key that signs, protected the way gpg and
 * openpgp.js protect keys) is handled natively with node:crypto, without
 * loading openpgp.js; anything else, and every error but a missing or
 * wrong passphrase, goes through openpgp.js exactly as before.
 */
export async function newPGPSigner(
  privateKeyBlob: Buffer,
  passphrase: string | undefined,
  what = 'the signing key',
  ask?: PassphrasePrompt,
): Promise<PGPSigner> {
  const state = { passphrase, asked: false };
  try {
    return await newNativeSigner(privateKeyBlob, state, what, ask);
  } catch (err) {
    // Passphrase errors and a failed prompt are final; anything else the
    // native path did not expect is left to openpgp.js to judge.
    if (err instanceof ImgsignError) throw err;
    if (state.asked && !(err instanceof UnsupportedOpenPGPError)) throw err;
  }
  // A passphrase already asked for is not asked for again.
  return newOpenPGPSigner(privateKeyBlob, state.passphrase, what, ask);
}

async function newNativeSigner(
  blob: Buffer,
  state: { passphrase: string | undefined; asked: boolean },
  what: string,
  ask: PassphrasePrompt | undefined,
): Promise<PGPSigner> {
  const keys = readKeyBlobNatively(blob);
  const key = keys[0];
  if (keys.length !== 1 || key?.secret === undefined) {
    throw new UnsupportedOpenPGPError('native OpenPGP: not one private key');
  }
  const secret = key.secret;
  const { primary } = key.transferable;
  const now = Math.floor(Date.now() / 1000);
  const cert = primarySigningCertification(key.transferable, now);
  const hashAlgorithm = preferredHashAlgorithm(primary, cert.preferredHashes);
  const fingerprint = primary.fingerprint;
  const label = `${what} ${fingerprint}`;
  if (secret.isEncrypted && state.passphrase === undefined && ask) {
    state.asked = true;
    state.passphrase = await ask(`Passphrase for ${label}: `);
  }
  const privateKey = unlockSecretKey(secret, state.passphrase, label);
  const signer = { key: primary, privateKey, hashAlgorithm };
  const userId = key.userIds[0];
  let fallback: Promise<PGPSigner> | undefined;
  return {
    fingerprint,
    ...(userId !== undefined ? { userId } : {}),
    async sign(payload: Buffer): Promise<Buffer> {
      try {
        return nativeSign(signer, payload);
      } catch (err) {
        if (!(err instanceof UnsupportedOpenPGPError)) throw err;
      }
      fallback ??= newOpenPGPSigner(blob, state.passphrase, what);
      return (await fallback).sign(payload);
    },
  };
}

async function newOpenPGPSigner(
  privateKeyBlob: Buffer,
  passphrase: string | undefined,
  what: string,
  ask?: PassphrasePrompt,
): Promise<PGPSigner> {
  const locked = await readPrivateKeyBlob(privateKeyBlob, what);
  const fingerprint = locked.getFingerprint().toUpperCase();
  const label = `${what} ${fingerprint}`;
  const key = await unlockPrivateKey(locked, passphrase, label, ask);
  try {
    await key.getSigningKey();
  } catch (err) {
    throw new ImgsignError(
      'KEY_INVALID',
      `${label} cannot sign: ${describeError(err)}`,
      { cause: err },
    );
  }
  const userId = key.getUserIDs()[0];
  return {
    fingerprint,
    ...(userId !== undefined ? { userId } : {}),
    async sign(payload: Buffer): Promise<Buffer> {
      const openpgp = await loadOpenPGP();
      const message = await openpgp.createMessage({
        binary: new Uint8Array(payload),
      });
      // The overloads of sign() do not resolve for Message<Uint8Array> here.
      const sign = openpgp.sign as (o: object) => Promise<Uint8Array>;
      const signed = await sign({
        message,
        signingKeys: key,
        format: 'binary',
      });
      return Buffer.from(signed);
    },
  };
}
