import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * Keys made by the real gpg in a temp GNUPGHOME, for the native OpenPGP
 * tests: secret keys exported the way users export them (protected keys
 * come out as gpg-agent protects them), and the public key.
 */
const run = promisify(execFile);

export interface GpgHome {
  dir: string;
  gpg(args: string[], input?: Buffer): Promise<Buffer>;
  close(): Promise<void>;
}

export async function gpgHome(prefix: string): Promise<GpgHome> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const home = join(dir, 'gnupg');
  await mkdir(home, { mode: 0o700 });
  const env = { ...process.env, GNUPGHOME: home };
  const gpg = async (args: string[], input?: Buffer): Promise<Buffer> => {
    const p = run('gpg', ['--batch', '--pinentry-mode', 'loopback', ...args], {
      env,
      encoding: 'buffer',
      maxBuffer: 16 * 1024 * 1024,
    });
    if (input !== undefined) p.child.stdin?.end(input);
    return (await p).stdout;
  };
  return {
    dir,
    gpg,
    async close() {
      await run('gpgconf', ['--kill', 'gpg-agent'], { env }).catch(
        () => undefined,
      );
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface GpgKey {
  fingerprint: string;
  /** Binary transferable secret key. */
  secret: Buffer;
  /** ASCII-armored transferable secret key. */
  secretArmored: Buffer;
  /** Binary transferable public key. */
  publicKey: Buffer;
  passphrase?: string;
}

/** `gpg --quick-gen-key UID ALGO USAGE EXPIRE`, exported. */
export async function makeGpgKey(
  home: GpgHome,
  options: {
    uid: string;
    algo: string;
    usage?: string;
    expire?: string;
    passphrase?: string;
  },
): Promise<GpgKey> {
  const pw = ['--passphrase', options.passphrase ?? ''];
  await home.gpg([
    ...pw,
    '--quick-gen-key',
    options.uid,
    options.algo,
    options.usage ?? 'sign',
    options.expire ?? 'never',
  ]);
  const listing = (
    await home.gpg(['--with-colons', '--list-keys', `=${options.uid}`])
  ).toString();
  const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(listing)?.[1] ?? '';
  return exportGpgKey(home, fingerprint, options.passphrase);
}

export async function exportGpgKey(
  home: GpgHome,
  fingerprint: string,
  passphrase?: string,
): Promise<GpgKey> {
  const pw = ['--passphrase', passphrase ?? ''];
  return {
    fingerprint,
    secret: await home.gpg([...pw, '--export-secret-keys', fingerprint]),
    secretArmored: await home.gpg([
      ...pw,
      '--armor',
      '--export-secret-keys',
      fingerprint,
    ]),
    publicKey: await home.gpg(['--export', fingerprint]),
    ...(passphrase !== undefined ? { passphrase } : {}),
  };
}
