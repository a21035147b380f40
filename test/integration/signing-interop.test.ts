import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { signatureFixtures } from '../helpers/paths.js';
import { describeWithPeers } from '../helpers/peers.js';

/**
 * Interop with the reference tools, both directions (issue 2 §5): keys made
 * by `gpg --batch --gen-key` sign with skopeo and imgsign verifies; imgsign
 * signs and skopeo standalone-verify and gpg --verify accept. Debian's
 * skopeo 1.9 rejects subkey signatures, so the gpg keys sign with their
 * primary key (Key-Usage: sign, no subkey).
 */
const run = promisify(execFile);
const MANIFEST = join(signatureFixtures, 'image.manifest.json');
const DIGEST =
  'sha256:20bf21ed457b390829cdbeec8795a7bea1626991fda603e0d01b4e7f60427e55';
const REF = 'quay.io/imgsign/interop:1.0';

interface GpgKeyCase {
  name: string;
  keyParams: string;
  passphrase?: string;
}

const cases: GpgKeyCase[] = [
  {
    name: 'RSA without passphrase',
    keyParams: 'Key-Type: RSA\nKey-Length: 2048',
  },
  {
    name: 'RSA with passphrase',
    keyParams: 'Key-Type: RSA\nKey-Length: 2048',
    passphrase: 'rsa pass phrase',
  },
  {
    name: 'Ed25519 without passphrase',
    keyParams: 'Key-Type: EDDSA\nKey-Curve: ed25519',
  },
  {
    name: 'ECDSA P-256 without passphrase',
    keyParams: 'Key-Type: ECDSA\nKey-Curve: nistp256',
  },
  {
    name: 'Ed25519 with passphrase',
    keyParams: 'Key-Type: EDDSA\nKey-Curve: ed25519',
    passphrase: 'ed pass phrase',
  },
];

const dirs: string[] = [];
async function scratch(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'isg-'));
  dirs.push(d);
  return d;
}

const gpgEnv = (home: string) => ({ ...process.env, GNUPGHOME: home });

async function gpg(home: string, args: string[]): Promise<string> {
  const { stdout } = await run('gpg', ['--batch', '--no-tty', ...args], {
    env: gpgEnv(home),
  });
  return stdout;
}

/** Writes the binary public key `fpr` from GnuPG home `home` to `path`. */
async function exportPublicKey(
  home: string,
  fpr: string,
  path: string,
): Promise<string> {
  const { stdout } = await run('gpg', ['--batch', '--export', fpr], {
    env: gpgEnv(home),
    encoding: 'buffer',
  });
  await writeFile(path, stdout);
  return path;
}

/** skopeo standalone-verify accepts `sig` of MANIFEST for REF by `fpr`. */
async function expectSkopeoAccepts(
  home: string,
  fpr: string,
  sig: string,
): Promise<void> {
  const { stdout } = await run(
    'skopeo',
    ['standalone-verify', MANIFEST, REF, fpr, sig],
    { env: gpgEnv(home) },
  );
  expect(stdout).toContain(`Signature verified, digest ${DIGEST}`);
}

/** skopeo standalone-verify and gpg --verify both accept `sig` by `fpr`. */
async function expectSkopeoAndGpgAccept(
  home: string,
  fpr: string,
  sig: string,
): Promise<void> {
  await expectSkopeoAccepts(home, fpr, sig);
  const verify = await run(
    'gpg',
    ['--batch', '--status-fd', '1', '--verify', sig],
    { env: gpgEnv(home) },
  );
  expect(verify.stdout).toMatch(new RegExp(`VALIDSIG ${fpr}`));
}

/** `imgsign standalone-verify MANIFEST ...args` with GnuPG home `home` and an empty imgsign keyring. */
const standaloneVerify = (args: string[], home: string, keyring: string) =>
  runCli(['standalone-verify', MANIFEST, ...args], {
    env: { GNUPGHOME: home, IMGSIGN_HOME: keyring },
  });

async function makeGpgKey(
  c: GpgKeyCase,
  email: string,
): Promise<{ home: string; fpr: string; pwFile?: string }> {
  const home = await scratch();
  const params = join(home, 'params');
  await writeFile(
    params,
    `${c.keyParams}\nKey-Usage: sign\nName-Real: Interop ${c.name}\nName-Email: ${email}\nExpire-Date: 0\n` +
      (c.passphrase !== undefined
        ? `Passphrase: ${c.passphrase}\n`
        : '%no-protection\n') +
      '%commit\n',
  );
  await gpg(home, ['--pinentry-mode', 'loopback', '--gen-key', params]);
  const listing = await gpg(home, [
    '--with-colons',
    '--list-secret-keys',
    email,
  ]);
  const fpr = /^fpr:+([0-9A-F]{40}):/m.exec(listing)?.[1];
  if (fpr === undefined) throw new Error(`no key made: ${listing}`);
  if (c.passphrase === undefined) return { home, fpr };
  const pwFile = join(home, 'pw');
  await writeFile(pwFile, `${c.passphrase}\n`);
  return { home, fpr, pwFile };
}

afterAll(async () => {
  for (const d of dirs) {
    await run('gpgconf', ['--homedir', d, '--kill', 'gpg-agent']).catch(
      () => undefined,
    );
    await rm(d, { recursive: true, force: true });
  }
});

describeWithPeers(
  'signing interop with gpg and skopeo',
  ['gpg', 'skopeo'],
  () => {
    describe.each(cases)('a gpg-made $name key', (c) => {
      let key: { home: string; fpr: string; pwFile?: string };
      let work: string;
      const email = `interop-${cases.indexOf(c)}@example.com`;
      beforeAll(async () => {
        key = await makeGpgKey(c, email);
        work = await scratch();
      });
      const pwArgs = (): string[] =>
        key.pwFile !== undefined ? ['--passphrase-file', key.pwFile] : [];

      it('signs with skopeo standalone-sign and imgsign standalone-verify accepts', async () => {
        const sig = join(work, 'skopeo.sig');
        await run(
          'skopeo',
          ['standalone-sign', ...pwArgs(), MANIFEST, REF, key.fpr, '-o', sig],
          { env: gpgEnv(key.home) },
        );
        const emptyKeyring = join(work, 'empty-keyring');
        // Trusted keys from GnuPG's public keyring ...
        const fromGpg = await standaloneVerify(
          [REF, key.fpr, sig],
          key.home,
          emptyKeyring,
        );
        expect(fromGpg.stderr).toBe('');
        expect(fromGpg.stdout.trim()).toBe(
          `Signature verified using fingerprint ${key.fpr}, digest ${DIGEST}`,
        );
        expect(fromGpg.code).toBe(0);
        // ... and from an exported public key file with "any".
        const pub = await exportPublicKey(
          key.home,
          key.fpr,
          join(work, 'pub.gpg'),
        );
        const fromFile = await standaloneVerify(
          [REF, 'any', sig, '--public-key-file', pub],
          join(work, 'no-gnupg'),
          emptyKeyring,
        );
        expect(fromFile.code).toBe(0);
        // A different expected identity is refused.
        const other = await standaloneVerify(
          ['quay.io/imgsign/other:1.0', key.fpr, sig],
          key.home,
          emptyKeyring,
        );
        expect(other.stderr).toMatch(/not "quay.io\/imgsign\/other:1.0"/);
        expect(other.code).toBe(1);
        expect(other.stderr).toMatch(/not "quay.io\/imgsign\/other:1.0"/);
      });

      it('signs through GnuPG with imgsign and skopeo and gpg accept the signature', async () => {
        const sig = join(work, 'imgsign-gpg.sig');
        const signed = await runCli(
          ['standalone-sign', MANIFEST, REF, email, '-o', sig, ...pwArgs()],
          {
            env: {
              GNUPGHOME: key.home,
              IMGSIGN_HOME: join(work, 'empty-keyring'),
            },
          },
        );
        expect(signed.stderr).toBe('');
        expect(signed.code).toBe(0);
        await expectSkopeoAndGpgAccept(key.home, key.fpr, sig);
      });

      it('signs with the key imported into the imgsign keyring, and skopeo and gpg accept it', async () => {
        const keyring = join(work, 'keyring');
        const env = { GNUPGHOME: key.home, IMGSIGN_HOME: keyring };
        const imported = await runCli(
          ['key', 'import', '--from-gpg', key.fpr, ...pwArgs(), '--json'],
          { env },
        );
        expect(imported.code).toBe(0);
        expect(JSON.parse(imported.stdout)[0]).toMatchObject({
          fingerprint: key.fpr,
          hasSecret: true,
          encrypted: c.passphrase !== undefined,
        });
        const sig = join(work, 'imgsign-keyring.sig');
        // The gpg home is hidden so that the key can only come from the imgsign keyring.
        const signed = await runCli(
          ['standalone-sign', MANIFEST, REF, key.fpr, '-o', sig, ...pwArgs()],
          {
            env: { GNUPGHOME: join(work, 'no-gnupg'), IMGSIGN_HOME: keyring },
          },
        );
        expect(signed.stderr).toBe('');
        expect(signed.code).toBe(0);
        await expectSkopeoAndGpgAccept(key.home, key.fpr, sig);
      });
    });

    describe('a gpg key that signs with a subkey', () => {
      it('is verified by imgsign as its primary key (skopeo 1.9 itself would refuse it)', async () => {
        const home = await scratch();
        const params = join(home, 'params');
        await writeFile(
          params,
          'Key-Type: RSA\nKey-Length: 2048\nKey-Usage: cert\nSubkey-Type: RSA\nSubkey-Length: 2048\nSubkey-Usage: sign\n' +
            'Name-Real: Subkey signer\nName-Email: sub@example.com\nExpire-Date: 0\n%no-protection\n%commit\n',
        );
        await gpg(home, ['--gen-key', params]);
        const listing = await gpg(home, [
          '--with-colons',
          '--list-secret-keys',
          'sub@example.com',
        ]);
        const [primary, subkey] = [
          ...listing.matchAll(/^fpr:+([0-9A-F]{40}):/gm),
        ].map((m) => m[1]);
        expect(primary).toBeDefined();
        expect(subkey).not.toBe(primary);
        const sig = join(home, 'sig');
        await run(
          'skopeo',
          ['standalone-sign', MANIFEST, REF, primary!, '-o', sig],
          { env: gpgEnv(home) },
        );
        const packets = await gpg(home, ['--list-packets', sig]);
        expect(packets).toContain(`keyid ${subkey!.slice(-16)}`);
        const emptyKeyring = join(home, 'empty-keyring');
        const r = await standaloneVerify(
          [REF, primary!, sig],
          home,
          emptyKeyring,
        );
        expect(r.stdout).toBe(
          `Signature verified using fingerprint ${primary}, digest ${DIGEST}\n`,
        );
        // The identity is the primary key: listing only the subkey fingerprint does not accept it.
        const pub = await exportPublicKey(
          home,
          primary!,
          join(home, 'pub.gpg'),
        );
        const bySubkeyFpr = await standaloneVerify(
          [REF, subkey!, sig, '--public-key-file', pub],
          home,
          emptyKeyring,
        );
        expect(bySubkeyFpr.code).toBe(1);
        expect(bySubkeyFpr.stderr).toMatch(
          new RegExp(`signature by key ${primary} is not by an accepted key`),
        );
      });
    });

    describe('a passphrase-protected key kept only in GnuPG', () => {
      it('fails without hanging when no passphrase is given and no TTY is attached, and on a wrong one', async () => {
        const c = cases.find((k) => k.name === 'RSA with passphrase')!;
        const key = await makeGpgKey(c, 'locked@example.com');
        const work = await scratch();
        const env = {
          GNUPGHOME: key.home,
          IMGSIGN_HOME: join(work, 'keyring'),
        };
        /** imgsign standalone-sign by the locked key, with `extra` flags. */
        const sign = (extra: string[], input?: string) =>
          runCli(
            [
              'standalone-sign',
              MANIFEST,
              REF,
              'locked@example.com',
              '-o',
              join(work, 'sig'),
              ...extra,
            ],
            { env, ...(input !== undefined ? { input } : {}) },
          );
        const none = await sign([]);
        expect(none.code).toBe(2);
        expect(none.stderr).toMatch(
          /gpg could not sign with key [0-9A-F]{40}: .*--passphrase-file/,
        );
        const wrongPw = join(work, 'wrong');
        await writeFile(wrongPw, 'not it\n');
        const wrong = await sign(['--passphrase-file', wrongPw]);
        expect(wrong.code).toBe(2);
        expect(wrong.stderr).toMatch(
          /gpg could not sign with key [0-9A-F]{40}: .*[Bb]ad passphrase/,
        );
        // The passphrase can also come on a file descriptor (here stdin).
        const viaFd = await sign(['--passphrase-fd', '0'], `${c.passphrase}\n`);
        expect(viaFd.stderr).toBe('');
        expect(viaFd.code).toBe(0);
      });
    });

    describe.each([
      ['ed25519', undefined],
      ['rsa4096', 'generated pass'],
    ])('an imgsign-generated %s key (passphrase: %s)', (type, passphrase) => {
      it('signs so that skopeo standalone-verify and gpg --verify accept', async () => {
        const work = await scratch();
        const gnupg = await scratch();
        const env = {
          IMGSIGN_HOME: join(work, 'keyring'),
          GNUPGHOME: gnupg,
          PW: passphrase ?? '',
        };
        const email = `gen-${type}@example.com`;
        const pwArgs =
          passphrase !== undefined ? ['--passphrase-env', 'PW'] : [];
        const gen = await runCli(
          [
            'key',
            'generate',
            '--name',
            'Gen',
            '--email',
            email,
            '--type',
            type,
            ...pwArgs,
            '--json',
          ],
          { env },
        );
        expect(gen.code).toBe(0);
        const fpr = (JSON.parse(gen.stdout) as { fingerprint: string })
          .fingerprint;
        const sig = join(work, 'sig');
        const signed = await runCli(
          ['standalone-sign', MANIFEST, REF, email, '-o', sig, ...pwArgs],
          { env },
        );
        expect(signed.stderr).toBe('');
        const exported = await runCli(['key', 'export', email, '--armor'], {
          env,
        });
        const pub = join(work, 'pub.asc');
        await writeFile(pub, exported.stdout);
        await gpg(gnupg, ['--import', pub]);
        await expectSkopeoAccepts(gnupg, fpr, sig);
        const decrypted = await run('gpg', ['--batch', '--decrypt', sig], {
          env: gpgEnv(gnupg),
        });
        expect(
          JSON.parse(decrypted.stdout).critical.identity['docker-reference'],
        ).toBe(REF);
        expect((await readFile(sig))[0]).not.toBe(0x2d); // binary, never armored
      });
    });
  },
);
