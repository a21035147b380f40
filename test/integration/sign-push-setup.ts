import { execFile } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../helpers/paths.js';

/** Shared set-up of the sign-push-* end-to-end tests (not a test file itself). */
export const run = promisify(execFile);

export interface GpgKey {
  home: string;
  fingerprint: string;
  /** Binary public key file (for policies and --public-key-file). */
  publicKeyFile: string;
  /** Armored secret key file (for --sign-by-key-file). */
  secretKeyFile: string;
  env: Record<string, string>;
}

/**
 * A GnuPG home with one ed25519 key that signs with its PRIMARY key:
 * Debian's skopeo 1.9 rejects signatures made by a signing subkey.
 */
export async function makeGpgKey(
  work: string,
  name: string,
  uid: string,
): Promise<GpgKey> {
  const home = join(work, `gnupg-${name}`);
  await mkdir(home);
  await chmod(home, 0o700);
  const env = { GNUPGHOME: home };
  const gpg = (...args: string[]) =>
    run(
      'gpg',
      ['--batch', '--pinentry-mode', 'loopback', '--passphrase', '', ...args],
      { env: { ...process.env, ...env }, encoding: 'buffer' },
    );
  await gpg('--quick-gen-key', uid, 'ed25519', 'sign', 'never');
  const listing = (await gpg('--with-colons', '--list-keys', uid)).stdout;
  const fingerprint =
    /^fpr:+([0-9A-F]{40}):/m.exec(listing.toString())?.[1] ?? '';
  const publicKeyFile = join(work, `${name}.gpg`);
  await writeFile(publicKeyFile, (await gpg('--export', fingerprint)).stdout);
  const secretKeyFile = join(work, `${name}-secret.asc`);
  await writeFile(
    secretKeyFile,
    (await gpg('--armor', '--export-secret-keys', fingerprint)).stdout,
  );
  return { home, fingerprint, publicKeyFile, secretKeyFile, env };
}

export async function stopGpgAgent(key: GpgKey | undefined): Promise<void> {
  if (!key) return;
  await run('gpgconf', ['--kill', 'gpg-agent'], {
    env: { ...process.env, GNUPGHOME: key.home },
  }).catch(() => undefined);
}

/** policy.json: docker images of `scope` need a signature by `keyFile`; dir: accepted. */
export async function signedByPolicy(
  path: string,
  scope: string,
  keyFile: string,
): Promise<string> {
  await writeFile(
    path,
    JSON.stringify({
      default: [{ type: 'reject' }],
      transports: {
        docker: {
          [scope]: [{ type: 'signedBy', keyType: 'GPGKeys', keyPath: keyFile }],
        },
        dir: { '': [{ type: 'insecureAcceptAnything' }] },
      },
    }),
  );
  return path;
}

/** A small single-image dir: (scripts/make-demo-image.js) and its manifest digest. */
export async function makeImage(dir: string): Promise<string> {
  await run(process.execPath, [
    join(repoRoot, 'scripts/make-demo-image.js'),
    dir,
  ]);
  const { stdout } = await run('skopeo', [
    'manifest-digest',
    join(dir, 'manifest.json'),
  ]);
  return stdout.trim();
}
