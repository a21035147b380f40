import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../helpers/paths.js';

/**
 * Shared set-up of the end-to-end tests that sign, push and verify against
 * skopeo and gpg (sign-push-*, extension-api-skopeo, lookaside-skopeo,
 * policy-*-registry); not a test file itself.
 */
export const run = promisify(execFile);

export interface GpgKey {
  home: string;
  fingerprint: string;
  /** Binary public key file (for policies and --public-key-file). */
  publicKeyFile: string;
  /** The same public key, ASCII-armored. */
  publicKeyArmoredFile: string;
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
  const publicKeyArmoredFile = join(work, `${name}.asc`);
  await writeFile(
    publicKeyArmoredFile,
    (await gpg('--armor', '--export', fingerprint)).stdout,
  );
  const secretKeyFile = join(work, `${name}-secret.asc`);
  await writeFile(
    secretKeyFile,
    (await gpg('--armor', '--export-secret-keys', fingerprint)).stdout,
  );
  return {
    home,
    fingerprint,
    publicKeyFile,
    publicKeyArmoredFile,
    secretKeyFile,
    env,
  };
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

/** A registries.d directory at `dir` holding one file, `file`, with `yaml`. */
export async function registriesDir(
  dir: string,
  yaml: string,
  file = 'test.yaml',
): Promise<string> {
  await mkdir(dir);
  await writeFile(join(dir, file), yaml);
  return dir;
}

/**
 * What most interop tests start from: a `good` key that signs and an
 * `other` that does not, policies requiring either one for docker images on
 * `host`, a small dir: image and its digest, and the environment imgsign
 * runs in (GnuPG home of `good`, HOME and IMGSIGN_HOME under `work`).
 */
export interface SigningWorld {
  work: string;
  good: GpgKey;
  other: GpgKey;
  policyGood: string;
  policyOther: string;
  image: string;
  digest: string;
  env: Record<string, string>;
}

/** A SigningWorld in a new temp dir named from `prefix`, for `host`. */
export async function makeSigningWorld(
  prefix: string,
  host: string,
): Promise<SigningWorld> {
  const work = await mkdtemp(join(tmpdir(), prefix));
  await chmod(work, 0o755);
  const good = await makeGpgKey(work, 'good', 'Signer <signer@example.com>');
  const other = await makeGpgKey(work, 'other', 'Other <other@example.com>');
  const image = join(work, 'image');
  return {
    work,
    good,
    other,
    policyGood: await signedByPolicy(
      join(work, 'good.json'),
      host,
      good.publicKeyFile,
    ),
    policyOther: await signedByPolicy(
      join(work, 'other.json'),
      host,
      other.publicKeyFile,
    ),
    image,
    digest: await makeImage(image),
    env: {
      ...good.env,
      HOME: join(work, 'home'),
      IMGSIGN_HOME: join(work, 'imgsign-home'),
    },
  };
}

/** Stops the world's gpg-agents and removes its directory. */
export async function removeSigningWorld(
  world: SigningWorld | undefined,
): Promise<void> {
  if (!world) return;
  await stopGpgAgent(world.good);
  await stopGpgAgent(world.other);
  await rm(world.work, { recursive: true, force: true });
}

export interface SkopeoCopyOptions {
  /** policy.json; without one, --insecure-policy. */
  policy?: string;
  registriesD?: string;
  /** Fingerprint for --sign-by (found in `key`'s GnuPG home). */
  signBy?: string;
  /** Whose GnuPG home skopeo uses. */
  key?: GpgKey;
  quiet?: boolean;
  timeout?: number;
}

/** `skopeo copy SRC DEST`, over plain http on the docker:// side(s). */
export function skopeoCopy(
  src: string,
  dest: string,
  o: SkopeoCopyOptions = {},
): Promise<{ stdout: string; stderr: string }> {
  return run(
    'skopeo',
    [
      ...(o.policy !== undefined
        ? ['--policy', o.policy]
        : ['--insecure-policy']),
      ...(o.registriesD !== undefined ? ['--registries.d', o.registriesD] : []),
      'copy',
      ...(o.quiet ? ['--quiet'] : []),
      ...(src.startsWith('docker://') ? ['--src-tls-verify=false'] : []),
      ...(dest.startsWith('docker://') ? ['--dest-tls-verify=false'] : []),
      ...(o.signBy !== undefined ? ['--sign-by', o.signBy] : []),
      src,
      dest,
    ],
    {
      env: { ...process.env, ...o.key?.env },
      ...(o.timeout !== undefined ? { timeout: o.timeout } : {}),
    },
  );
}

/** skopeo as the `good` signer of `world`, against the registry at `host`. */
export interface SkopeoPeer {
  /** Copies the world's image to `ref`, signing with --sign-by when `sign`. */
  push(ref: string, sign: boolean): Promise<unknown>;
  /** Pulls `ref` under the good or other key's policy into `out` under work. */
  pull(policy: 'good' | 'other', ref: string, out: string): Promise<unknown>;
}

export function skopeoPeer(
  world: SigningWorld,
  host: string,
  registriesD: string,
): SkopeoPeer {
  const at = (ref: string) => `docker://${host}/${ref}`;
  const key = world.good;
  return {
    push: (ref, sign) =>
      skopeoCopy(`dir:${world.image}`, at(ref), {
        registriesD,
        key,
        ...(sign ? { signBy: key.fingerprint } : {}),
      }),
    pull: (policy, ref, out) =>
      skopeoCopy(at(ref), `dir:${join(world.work, out)}`, {
        policy: policy === 'good' ? world.policyGood : world.policyOther,
        registriesD,
        key,
      }),
  };
}

/** A fresh dir: destination under `work` for a pull. */
export function pullDest(work: string): string {
  return `dir:${join(work, `pull-${Math.random().toString(16).slice(2)}`)}`;
}

/** `skopeo standalone-sign`: a signature of `image`'s manifest claiming `identity`, by `key`. */
export async function skopeoStandaloneSign(
  key: GpgKey,
  image: string,
  identity: string,
  out: string,
): Promise<string> {
  await run(
    'skopeo',
    [
      'standalone-sign',
      '-o',
      out,
      join(image, 'manifest.json'),
      identity,
      key.fingerprint,
    ],
    { env: { ...process.env, ...key.env } },
  );
  return out;
}

export type SkopeoVerdict = 'accept' | 'reject' | 'invalid-policy';

/**
 * skopeo's verdict on pulling the docker reference `image` under `policy`:
 * it copies into a throwaway directory under `work`; any failure other than
 * a rejection or an invalid policy throws.
 */
export async function skopeoVerdict(
  work: string,
  image: string,
  policy: string,
  registriesD: string,
): Promise<SkopeoVerdict> {
  const dest = await mkdtemp(join(work, 'out-'));
  try {
    await skopeoCopy(`docker://${image}`, `dir:${dest}`, {
      policy,
      registriesD,
      quiet: true,
      timeout: 60_000,
    });
    return 'accept';
  } catch (err) {
    const stderr = String((err as { stderr?: string }).stderr ?? '');
    if (/Source image rejected/.test(stderr)) return 'reject';
    if (/invalid policy|policy.*(invalid|unknown)/i.test(stderr)) {
      return 'invalid-policy';
    }
    throw new Error(`skopeo failed unexpectedly on ${image}: ${stderr}`);
  } finally {
    await rm(dest, { recursive: true, force: true });
  }
}

export interface ImgsignCopyOptions {
  /** policy.json; without one, --insecure-policy. */
  policy?: string;
  registriesD?: string;
  signBy?: string;
  signByKeyFile?: string;
  /** More flags (--json, --dry-run, --all, ...). */
  extra?: string[];
}

/** Arguments of `imgsign copy SRC DEST`, over plain http on the docker:// side(s). */
export function imgsignCopyArgs(
  src: string,
  dest: string,
  o: ImgsignCopyOptions = {},
): string[] {
  return [
    'copy',
    ...(o.policy !== undefined
      ? ['--policy', o.policy]
      : ['--insecure-policy']),
    ...(o.registriesD !== undefined ? ['--registries.d', o.registriesD] : []),
    ...(src.startsWith('docker://') ? ['--src-tls-verify=false'] : []),
    ...(dest.startsWith('docker://') ? ['--dest-tls-verify=false'] : []),
    ...(o.signBy !== undefined ? ['--sign-by', o.signBy] : []),
    ...(o.signByKeyFile !== undefined
      ? ['--sign-by-key-file', o.signByKeyFile]
      : []),
    ...(o.extra ?? []),
    src,
    dest,
  ];
}

/** Arguments of `imgsign signatures list IMAGE` through `registriesD`, over plain http. */
export function signaturesListArgs(
  image: string,
  registriesD: string,
  o: { publicKeyFile?: string; json?: boolean } = {},
): string[] {
  return [
    'signatures',
    'list',
    image,
    '--registries.d',
    registriesD,
    '--tls-verify=false',
    ...(o.publicKeyFile !== undefined
      ? ['--public-key-file', o.publicKeyFile]
      : []),
    ...(o.json ? ['--json'] : []),
  ];
}

/** Arguments of `imgsign verify IMAGE` under `policy` through `registriesD`, over plain http. */
export function verifyArgs(
  image: string,
  policy: string,
  registriesD: string,
  extra: string[] = [],
): string[] {
  return [
    'verify',
    '--policy',
    policy,
    '--registries.d',
    registriesD,
    '--tls-verify=false',
    ...extra,
    image,
  ];
}
