import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { copyFile, chmod, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import {
  encodePrivateKeyPem,
  keyFileAttributes,
  parsePrivateKeyPem,
} from '../../src/notary/keystore/key-file.js';
import { decodePem } from '../../src/notary/keystore/pem.js';
import { fixedPassphrase } from '../../src/notary/keystore/passphrase.js';
import { TrustKeyStore } from '../../src/notary/keystore/store.js';
import {
  tufKeyId,
  tufPrivateKeyFromKeyObject,
} from '../../src/notary/keystore/tuf-private-key.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/paths.js';
import { describeWithPeers } from '../helpers/peers.js';

/*
 * Interop of the Docker Content Trust key store (SPEC §7.9, §7.11) with the
 * real tools: docker trust key generate/load, notary key list/passwd and
 * openssl pkcs8. No daemon or server is needed for any of them.
 */

const PASS = 'interop passphrase';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(
  cmd: string,
  args: string[],
  env: Record<string, string>,
  input = '',
): Run {
  const r = spawnSync(cmd, args, {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    input,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

async function dockerConfig(): Promise<{
  home: string;
  config: string;
  trust: string;
}> {
  const home = await tempDir('imgsign-trust-interop-');
  const config = join(home, 'docker');
  return { home, config, trust: join(config, 'trust') };
}

function dockerEnv(d: { home: string; config: string }, passphrase = PASS) {
  return {
    HOME: d.home,
    DOCKER_CONFIG: d.config,
    DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE: passphrase,
  };
}

/** `notary -d TRUST key list` rows as [role, keyId]. */
function notaryKeyList(trust: string, home: string): string[][] {
  const r = run('notary', ['-d', trust, 'key', 'list'], { HOME: home });
  expect(r.code, r.stderr).toBe(0);
  return r.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((cols) => cols.some((c) => /^[0-9a-f]{64}$/.test(c)))
    .map((cols) => [cols[0]!, cols.find((c) => /^[0-9a-f]{64}$/.test(c))!]);
}

describeWithPeers(
  'trust key interop with docker and notary',
  ['docker', 'notary'],
  () => {
    it('a key from `docker trust key generate` is listed and decrypted by imgsign', async () => {
      const d = await dockerConfig();
      const pubDir = join(d.home, 'pub');
      await mkdir(pubDir);
      const gen = run(
        'docker',
        ['trust', 'key', 'generate', 'alice', '--dir', pubDir],
        dockerEnv(d),
      );
      expect(gen.code, gen.stderr).toBe(0);
      const pub = decodePem(
        readFileSync(join(pubDir, 'alice.pub'), 'utf8'),
        'alice.pub',
      )!;
      const id = tufKeyId('ecdsa', pub.bytes);

      const store = await TrustKeyStore.open(d.trust);
      const keys = await store.listKeys();
      expect(keys.map((k) => [k.id, k.role, k.gun])).toEqual([
        [id, 'alice', ''],
      ]);
      const { key } = await store.getKey(id, fixedPassphrase(PASS));
      expect(key.id).toBe(id);
      await expect(
        store.getKey(id, fixedPassphrase('wrong')),
      ).rejects.toMatchObject({
        code: 'PASSPHRASE',
      });

      // imgsign trust key load accepts docker's key file too.
      const other = await dockerConfig();
      const copy = join(other.home, 'alice.key');
      await copyFile(join(d.trust, 'private', `${id}.key`), copy);
      await chmod(copy, 0o600);
      const load = await runCli(
        ['trust', 'key', 'load', '--name', 'alice2', copy, '--json'],
        {
          env: dockerEnv(other),
        },
      );
      expect(load.code, load.stderr).toBe(0);
      expect(JSON.parse(load.stdout)).toMatchObject({
        keyId: id,
        role: 'alice2',
      });
    });

    it('a key from `imgsign trust key generate` is read by notary and docker', async () => {
      const a = await dockerConfig();
      const gen = await runCli(
        ['trust', 'key', 'generate', 'bob', '--dir', a.home, '--json'],
        {
          env: dockerEnv(a),
        },
      );
      expect(gen.code, gen.stderr).toBe(0);
      const { keyId, privateKeyFile } = JSON.parse(gen.stdout) as {
        keyId: string;
        privateKeyFile: string;
      };

      // notary lists it with the right role, straight from our trust directory.
      expect(notaryKeyList(a.trust, a.home)).toEqual([['bob', keyId]]);

      // docker trust key load decrypts our encrypted PKCS#8 (and refuses a wrong
      // passphrase). docker 28 then stores nothing for an encrypted input (it
      // hands the decrypted DER, not PEM, to its importer), so only the
      // decryption is checked here; the unencrypted export below is stored.
      const b = await dockerConfig();
      const file = join(b.home, 'bob.key');
      await copyFile(privateKeyFile, file);
      await chmod(file, 0o600);
      const wrong = run(
        'docker',
        ['trust', 'key', 'load', '--name', 'bob', file],
        dockerEnv(b, 'wrong'),
      );
      expect(wrong.code).not.toBe(0);
      expect(wrong.stderr).toMatch(/could not decrypt key/);
      const ok = run(
        'docker',
        ['trust', 'key', 'load', '--name', 'bob', file],
        dockerEnv(b),
      );
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout).toContain(`Successfully imported key from ${file}`);

      // An unencrypted PKCS#8 export of the same key is stored by docker,
      // which notary then lists and imgsign reads back.
      const { key } = await (
        await TrustKeyStore.open(a.trust)
      ).getKey(keyId, fixedPassphrase(PASS));
      const plain = join(b.home, 'bob-plain.key');
      await writeFile(plain, encodePrivateKeyPem(key, { role: 'bob' }), {
        mode: 0o600,
      });
      const load = run(
        'docker',
        ['trust', 'key', 'load', '--name', 'bob', plain],
        dockerEnv(b),
      );
      expect(load.code, load.stderr).toBe(0);
      expect(await readdir(join(b.trust, 'private'))).toEqual([`${keyId}.key`]);
      expect(notaryKeyList(b.trust, b.home)).toEqual([['bob', keyId]]);
      const stored = readFileSync(
        join(b.trust, 'private', `${keyId}.key`),
        'utf8',
      );
      expect(keyFileAttributes(stored, 'docker-stored').encrypted).toBe(true);
      expect(parsePrivateKeyPem(stored, PASS, 'docker-stored').id).toBe(keyId);
    });

    it('notary decrypts our ECDSA, RSA and Ed25519 key files (key passwd) and we read its rewrite', async () => {
      const d = await dockerConfig();
      const store = await TrustKeyStore.open(d.trust);
      const keys = [
        generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
        generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
        generateKeyPairSync('ed25519').privateKey,
      ].map((k) => tufPrivateKeyFromKeyObject(k, 'test key'));
      for (const key of keys) {
        await store.addKey(key, {
          role: 'carol',
          passphrase: fixedPassphrase(PASS),
        });
      }
      for (const key of keys) {
        const bad = run('notary', ['-d', d.trust, 'key', 'passwd', key.id], {
          HOME: d.home,
          NOTARY_DELEGATION_PASSPHRASE: 'wrong',
        });
        expect(bad.code, `${key.keyType}: ${bad.stdout}`).not.toBe(0);
        const r = run('notary', ['-d', d.trust, 'key', 'passwd', key.id], {
          HOME: d.home,
          NOTARY_DELEGATION_PASSPHRASE: PASS,
        });
        expect(r.code, `${key.keyType}: ${r.stderr}`).toBe(0);
        expect(r.stdout).toContain(
          `Successfully updated passphrase for key ID: ${key.id}`,
        );
        const again = await (
          await TrustKeyStore.open(d.trust)
        ).getKey(key.id, fixedPassphrase(PASS));
        expect(again.key.privateBytes).toEqual(key.privateBytes);
        expect(again.info.role).toBe('carol');
      }
    });

    it('openssl pkcs8 decrypts our encrypted PEM (PBES2, PBKDF2-SHA1, AES-256-CBC)', () => {
      const key = tufPrivateKeyFromKeyObject(
        generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
        'test key',
      );
      // OpenSSL refuses RFC 1421 headers on PKCS#8 blocks, so strip `role:`
      // (as anyone feeding a docker key file to openssl must).
      const withRole = encodePrivateKeyPem(key, {
        role: 'x',
        passphrase: PASS,
      });
      expect(withRole).toContain('\nrole: x\n\n');
      const pem = withRole.replace('role: x\n\n', '');
      const info = run('openssl', ['asn1parse'], {}, pem);
      expect(info.code).toBe(0);
      expect(info.stdout).toMatch(
        /PBES2[\s\S]*PBKDF2[\s\S]*INTEGER\s+:0800[\s\S]*aes-256-cbc/,
      );
      expect(info.stdout).not.toMatch(/hmacWith/);
      const r = run('openssl', ['pkcs8', '-passin', `pass:${PASS}`], {}, pem);
      expect(r.code, r.stderr).toBe(0);
      expect(parsePrivateKeyPem(r.stdout, undefined, 'openssl output').id).toBe(
        key.id,
      );
      const wrong = run('openssl', ['pkcs8', '-passin', 'pass:nope'], {}, pem);
      expect(wrong.code).not.toBe(0);
    });

    it('keys made by openssl (traditional RSA with DEK-Info, PKCS#8 with HMAC-SHA256, Ed25519) load into imgsign and notary lists them', async () => {
      const d = await dockerConfig();
      const files = {
        'rsa-trad.pem': [
          'genrsa',
          '-aes256',
          '-passout',
          `pass:${PASS}`,
          '-traditional',
          '2048',
        ],
        'ec-p8.pem': [
          'genpkey',
          '-algorithm',
          'EC',
          '-pkeyopt',
          'ec_paramgen_curve:P-256',
          '-aes-256-cbc',
          '-pass',
          `pass:${PASS}`,
        ],
        'ed25519.pem': ['genpkey', '-algorithm', 'ed25519'],
      };
      const ids: string[] = [];
      for (const [name, args] of Object.entries(files)) {
        const path = join(d.home, name);
        const made = run(
          'openssl',
          [...args.slice(0, 1), '-out', path, ...args.slice(1)],
          {},
        );
        expect(made.code, made.stderr).toBe(0);
        await chmod(path, 0o600);
        const r = await runCli(
          ['trust', 'key', 'load', '--name', 'dora', path, '--json'],
          {
            env: dockerEnv(d),
          },
        );
        expect(r.code, `${name}: ${r.stderr}`).toBe(0);
        ids.push((JSON.parse(r.stdout) as { keyId: string }).keyId);
      }
      expect(notaryKeyList(d.trust, d.home).sort()).toEqual(
        ids.map((id) => ['dora', id]).sort(),
      );
    });
  },
);
