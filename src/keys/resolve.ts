import { ImgsignError } from '../errors.js';
import type {
  SigningMechanism,
  VerificationMechanism,
} from '../signature/mechanism.js';
import { newGPGSigner } from '../signature/pgp/gpg-signer.js';
import {
  newPGPSigner,
  type PassphrasePrompt,
} from '../signature/pgp/signer.js';
import { newPGPVerifier } from '../signature/pgp/verifier.js';
import type { SystemContext } from '../system-context.js';
import { readBoundedFile } from './files.js';
import {
  exportGnuPGPublicKeys,
  listGnuPGKeys,
  type GnuPGKey,
} from './gnupg.js';
import { Keyring, MAX_KEY_FILE_BYTES } from './keyring.js';
import { findOneKey, matchKeys } from './lookup.js';

/**
 * Where signing and verification keys come from (issue 2 §3): a key file,
 * then the imgsign keyring, then GnuPG through the gpg binary.
 */
export interface ResolveSignerOptions {
  /** Fingerprint, long key ID, email or user ID. */
  signBy?: string;
  /** Armored or binary private key file (`--sign-by-key-file`); no keyring needed. */
  keyFile?: string;
  passphrase?: string;
  /**
   * Whether gpg may prompt through its own pinentry (a TTY is attached).
   * A function: only signing through gpg needs the answer.
   */
  interactive?: () => boolean;
  /** Asks for the passphrase of a protected imgsign key (undefined: no one to ask). */
  askPassphrase?: PassphrasePrompt;
}

export type ResolvedSigner = SigningMechanism & {
  fingerprint: string;
  userId?: string;
};

export async function resolveSigner(
  options: ResolveSignerOptions,
  sys: SystemContext,
): Promise<ResolvedSigner> {
  if (options.keyFile !== undefined) {
    const blob = await readBoundedFile(
      options.keyFile,
      MAX_KEY_FILE_BYTES,
      'key file',
    );
    const signer = await newPGPSigner(
      blob,
      options.passphrase,
      `the key in ${options.keyFile}`,
      options.askPassphrase,
    );
    if (
      options.signBy !== undefined &&
      matchKeys(
        [
          {
            fingerprint: signer.fingerprint,
            keyIds: [signer.fingerprint.slice(-16)],
            subkeyFingerprints: [],
            userIds: signer.userId !== undefined ? [signer.userId] : [],
          },
        ],
        options.signBy,
      ).length === 0
    ) {
      throw new ImgsignError(
        'KEY_NOT_FOUND',
        `the key in ${options.keyFile} (${signer.fingerprint}) does not match --sign-by "${options.signBy}"`,
      );
    }
    return signer;
  }
  const query = options.signBy;
  if (query === undefined || query.trim() === '') {
    throw new ImgsignError(
      'USAGE',
      'no signing key given: use --sign-by ID or --sign-by-key-file FILE',
    );
  }
  const keyring = Keyring.forSystem(sys);
  const own = await keyring.findSecret(query);
  if (own !== undefined) {
    return newPGPSigner(
      own.secret,
      options.passphrase,
      `key ${own.key.userIds[0] ?? own.key.fingerprint}`,
      options.askPassphrase,
    );
  }
  let inGnuPG: GnuPGKey[];
  try {
    inGnuPG = await listGnuPGKeys(query, {
      secret: true,
      ...(sys.gnupgHome !== undefined ? { gnupgHome: sys.gnupgHome } : {}),
    });
  } catch {
    inGnuPG = [];
  }
  const gpgKey =
    findOneKey(inGnuPG, query, `GnuPG (${sys.gnupgHome ?? '~/.gnupg'})`) ??
    (inGnuPG.length === 1 ? inGnuPG[0] : undefined);
  if (gpgKey === undefined) {
    if (inGnuPG.length > 1) {
      throw new ImgsignError(
        'KEY_AMBIGUOUS',
        `"${query}" matches ${inGnuPG.length} keys in GnuPG: ${inGnuPG
          .map((k) => `${k.fingerprint} (${k.userIds[0] ?? 'no user ID'})`)
          .join(', ')}; use a fingerprint`,
      );
    }
    throw new ImgsignError(
      'KEY_NOT_FOUND',
      `no secret key matching "${query}" in the imgsign keyring ${keyring.dir} or in GnuPG (${sys.gnupgHome ?? '~/.gnupg'}); see \`imgsign key list\` or \`gpg -K\``,
    );
  }
  const signer = newGPGSigner({
    keyId: gpgKey.fingerprint,
    ...(sys.gnupgHome !== undefined ? { gnupgHome: sys.gnupgHome } : {}),
    ...(options.passphrase !== undefined
      ? { passphrase: options.passphrase }
      : {}),
    interactive: options.interactive?.() ?? false,
  });
  const userId = gpgKey.userIds[0];
  return {
    ...signer,
    fingerprint: gpgKey.fingerprint,
    ...(userId !== undefined ? { userId } : {}),
  };
}

export interface VerificationKeyOptions {
  /** Accepted primary fingerprints, or 'any' (every key in publicKeyFiles). */
  fingerprints: string[] | 'any';
  publicKeyFiles: string[];
}

/**
 * Trusted keys for standalone-verify: the files given; otherwise each
 * fingerprint from the imgsign keyring, falling back to GnuPG's public
 * keyring (`gpg --export`). A fingerprint found nowhere simply cannot verify.
 */
export async function loadVerificationKeys(
  options: VerificationKeyOptions,
  sys: SystemContext,
): Promise<VerificationMechanism> {
  const verifierOptions = sys.now !== undefined ? { now: sys.now } : {};
  if (options.publicKeyFiles.length > 0) {
    const blobs = await Promise.all(
      options.publicKeyFiles.map((f) =>
        readBoundedFile(f, 16 * MAX_KEY_FILE_BYTES, 'public key file'),
      ),
    );
    return newPGPVerifier(blobs, verifierOptions);
  }
  if (options.fingerprints === 'any') {
    throw new ImgsignError(
      'USAGE',
      'KEY-FINGERPRINTS "any" requires at least one --public-key-file',
    );
  }
  const keyring = Keyring.forSystem(sys);
  const own = await keyring.list();
  const blobs: Buffer[] = [];
  const missing: string[] = [];
  for (const fpr of options.fingerprints) {
    const key = own.find((k) => k.fingerprint === fpr.toUpperCase());
    if (key !== undefined) blobs.push(key.publicKey);
    else missing.push(fpr);
  }
  if (missing.length > 0) {
    try {
      blobs.push(await exportGnuPGPublicKeys(missing, sys.gnupgHome));
    } catch {
      // GnuPG missing or without a keyring: those fingerprints stay unknown.
    }
  }
  if (blobs.every((b) => b.length === 0)) {
    throw new ImgsignError(
      'KEY_NOT_FOUND',
      `no public key for ${options.fingerprints.join(', ') || '(no fingerprints given)'} in the imgsign keyring ${keyring.dir} or in GnuPG (${sys.gnupgHome ?? '~/.gnupg'}); import it with \`imgsign key import\` or pass --public-key-file`,
    );
  }
  return newPGPVerifier(blobs, verifierOptions);
}
