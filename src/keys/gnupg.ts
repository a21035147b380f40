import { ImgsignError } from '../errors.js';
import { gpgReason, runGPG } from '../signature/pgp/gpg-signer.js';
import type { KeyDescriptor } from './lookup.js';

/**
 * Keys that live in GnuPG, reached through the `gpg` binary (as skopeo
 * does): listing secret keys for `--sign-by`, exporting public keys for
 * verification and secret keys for `key import --from-gpg`.
 */
export interface GnuPGKey extends KeyDescriptor {
  secret: boolean;
}

/** Decode gpg's colon-listing escapes (`\x3a`). */
function unescape(s: string): string {
  return s.replace(/\\x([0-9a-fA-F]{2})/g, (_, h: string) =>
    String.fromCharCode(parseInt(h, 16)),
  );
}

/** Parse `gpg --with-colons --list-(secret-)keys` output. */
export function parseColonListing(text: string, secret: boolean): GnuPGKey[] {
  const keys: GnuPGKey[] = [];
  let current: GnuPGKey | undefined;
  let expectFpr: 'primary' | 'sub' | undefined;
  for (const line of text.split('\n')) {
    const f = line.split(':');
    const type = f[0];
    if (type === 'pub' || type === 'sec') {
      current = {
        fingerprint: '',
        keyIds: [(f[4] ?? '').toUpperCase()],
        subkeyFingerprints: [],
        userIds: [],
        secret,
      };
      keys.push(current);
      expectFpr = 'primary';
    } else if ((type === 'sub' || type === 'ssb') && current) {
      current.keyIds.push((f[4] ?? '').toUpperCase());
      expectFpr = 'sub';
    } else if (type === 'fpr' && current && expectFpr) {
      const fpr = (f[9] ?? '').toUpperCase();
      if (expectFpr === 'primary') current.fingerprint = fpr;
      else current.subkeyFingerprints.push(fpr);
      expectFpr = undefined;
    } else if (type === 'uid' && current) {
      current.userIds.push(unescape(f[9] ?? ''));
    }
  }
  return keys.filter((k) => k.fingerprint !== '');
}

/** GnuPG keys matching `query` (gpg's own matching rules); [] when none. */
export async function listGnuPGKeys(
  query: string,
  options: { gnupgHome?: string; secret: boolean },
): Promise<GnuPGKey[]> {
  const result = await runGPG(
    [
      '--with-colons',
      '--fixed-list-mode',
      options.secret ? '--list-secret-keys' : '--list-keys',
      '--',
      query,
    ],
    options.gnupgHome !== undefined ? { gnupgHome: options.gnupgHome } : {},
  );
  if (result.code !== 0) return [];
  return parseColonListing(result.stdout.toString('utf8'), options.secret);
}

/** Binary public keys for `ids` from GnuPG (empty when none are known). */
export async function exportGnuPGPublicKeys(
  ids: string[],
  gnupgHome?: string,
): Promise<Buffer> {
  if (ids.length === 0) return Buffer.alloc(0);
  const result = await runGPG(
    ['--export', '--', ...ids],
    gnupgHome !== undefined ? { gnupgHome } : {},
  );
  if (result.code !== 0) {
    throw new ImgsignError(
      'EXTERNAL_TOOL',
      `gpg --export failed: ${gpgReason(result.stderr)}`,
    );
  }
  return result.stdout;
}

/** A binary secret key from GnuPG (re-encrypted by gpg with the same passphrase). */
export async function exportGnuPGSecretKey(
  id: string,
  options: { gnupgHome?: string; passphrase?: string; interactive?: boolean },
): Promise<Buffer> {
  const args =
    options.passphrase !== undefined
      ? ['--pinentry-mode', 'loopback', '--passphrase-fd', '3']
      : options.interactive
        ? []
        : ['--pinentry-mode', 'error'];
  const result = await runGPG([...args, '--export-secret-keys', '--', id], {
    ...(options.gnupgHome !== undefined
      ? { gnupgHome: options.gnupgHome }
      : {}),
    ...(options.passphrase !== undefined ? { fd3: options.passphrase } : {}),
  });
  if (result.code !== 0 || result.stdout.length === 0) {
    throw new ImgsignError(
      result.stderr.match(/passphrase|pinentry/i)
        ? 'PASSPHRASE'
        : 'EXTERNAL_TOOL',
      `gpg could not export the secret key ${id}: ${gpgReason(result.stderr)}`,
    );
  }
  return result.stdout;
}
