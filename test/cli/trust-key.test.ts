import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  encodePrivateKeyPem,
  keyFileAttributes,
  parsePrivateKeyPem,
} from '../../src/notary/keystore/key-file.js';
import { decodePem } from '../../src/notary/keystore/pem.js';
import {
  tufKeyId,
  tufPrivateKeyFromKeyObject,
} from '../../src/notary/keystore/tuf-private-key.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/paths.js';

const PASS = 'correct horse battery';

/** A docker config dir; `null` leaves the passphrase variable unset. */
async function world(passphrase: string | null = PASS) {
  const dir = await tempDir();
  const env: Record<string, string | undefined> = {
    DOCKER_CONFIG: join(dir, 'docker'),
    DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE: passphrase ?? undefined,
    DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE: undefined,
  };
  return { dir, env, privateDir: join(dir, 'docker/trust/private') };
}

describe('imgsign trust key generate', () => {
  it('stores an encrypted P-256 key with role NAME and writes NAME.pub', async () => {
    const w = await world();
    const r = await runCli(
      ['trust', 'key', 'generate', 'alice', '--dir', w.dir],
      {
        env: w.env,
      },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const pubPath = join(w.dir, 'alice.pub');
    expect(r.stdout).toBe(
      `Generating key for alice...\nSuccessfully generated and loaded private key. Corresponding public key available: ${pubPath}\n`,
    );
    expect((await stat(pubPath)).mode & 0o777).toBe(0o600);
    const pub = decodePem(readFileSync(pubPath, 'utf8'), 'pub')!;
    expect(pub.type).toBe('PUBLIC KEY');
    expect(pub.headers).toEqual({ role: 'alice' });
    const id = tufKeyId('ecdsa', pub.bytes);
    expect(await readdir(w.privateDir)).toEqual([`${id}.key`]);
    const text = readFileSync(join(w.privateDir, `${id}.key`), 'utf8');
    expect(keyFileAttributes(text, 'k')).toEqual({
      type: 'ENCRYPTED PRIVATE KEY',
      role: 'alice',
      gun: '',
      encrypted: true,
    });
    const key = parsePrivateKeyPem(text, PASS, 'k');
    expect(key.id).toBe(id);
    expect(key.privateKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
  });

  it('--json reports the key ID, role and files', async () => {
    const w = await world();
    const r = await runCli(
      ['trust', 'key', 'generate', 'ci-bot_1', '--dir', w.dir, '--json'],
      { env: w.env },
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, string>;
    expect(Object.keys(out).sort()).toEqual([
      'keyId',
      'privateKeyFile',
      'publicKeyFile',
      'role',
    ]);
    expect(out['role']).toBe('ci-bot_1');
    expect(out['publicKeyFile']).toBe(join(w.dir, 'ci-bot_1.pub'));
    expect(out['privateKeyFile']).toBe(
      join(w.privateDir, `${out['keyId']}.key`),
    );
  });

  it('defaults --dir to the working directory', async () => {
    const w = await world();
    const r = await runCli(['trust', 'key', 'generate', 'bob'], {
      env: w.env,
      cwd: w.dir,
    });
    expect(r.code).toBe(0);
    expect((await stat(join(w.dir, 'bob.pub'))).isFile()).toBe(true);
  });

  it('fails without touching anything when NAME.pub exists', async () => {
    const w = await world();
    await writeFile(join(w.dir, 'alice.pub'), 'keep me');
    const r = await runCli(
      ['trust', 'key', 'generate', 'alice', '--dir', w.dir],
      {
        env: w.env,
      },
    );
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^imgsign: public key file already exists: .*alice\.pub/,
    );
    expect(readFileSync(join(w.dir, 'alice.pub'), 'utf8')).toBe('keep me');
    await expect(readdir(w.privateDir)).rejects.toThrow();
  });

  it('without a passphrase variable and no terminal: a clear error naming the variable', async () => {
    const w = await world(null);
    const r = await runCli(
      ['trust', 'key', 'generate', 'alice', '--dir', w.dir],
      {
        env: w.env,
      },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('--help shows examples', async () => {
    const r = await runCli(['trust', 'key', 'generate', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('imgsign trust key generate alice');
  });
});

function writeKeyFile(path: string, passphrase?: string, role?: string) {
  const key = tufPrivateKeyFromKeyObject(
    generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
    'k',
  );
  return writeFile(
    path,
    encodePrivateKeyPem(key, {
      ...(passphrase !== undefined ? { passphrase } : {}),
      ...(role !== undefined ? { role } : {}),
    }),
    { mode: 0o600 },
  ).then(() => key);
}

describe('imgsign trust key load', () => {
  it('imports an unencrypted key as role "signer" by default, encrypted', async () => {
    const w = await world();
    const file = join(w.dir, 'key.pem');
    const key = await writeKeyFile(file);
    const r = await runCli(['trust', 'key', 'load', file], { env: w.env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      `Loading key from "${file}"...\nSuccessfully imported key from ${file}\n`,
    );
    const stored = join(w.privateDir, `${key.id}.key`);
    const text = readFileSync(stored, 'utf8');
    expect(keyFileAttributes(text, 's')).toMatchObject({
      type: 'ENCRYPTED PRIVATE KEY',
      role: 'signer',
    });
    expect(parsePrivateKeyPem(text, PASS, 's').id).toBe(key.id);
    expect((await stat(stored)).mode & 0o777).toBe(0o600);
  });

  it('decrypts an encrypted key and stores it with role --name (--json)', async () => {
    const w = await world();
    const file = join(w.dir, 'enc.pem');
    const key = await writeKeyFile(file, PASS, 'other-role');
    const r = await runCli(
      ['trust', 'key', 'load', '--name', 'alice', file, '--json'],
      { env: w.env },
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      keyId: key.id,
      role: 'alice',
      privateKeyFile: join(w.privateDir, `${key.id}.key`),
      file,
    });
    const text = readFileSync(join(w.privateDir, `${key.id}.key`), 'utf8');
    expect(keyFileAttributes(text, 's').role).toBe('alice');
  });

  it('rejects a file that is not a private key, pointing at signer add', async () => {
    const w = await world();
    const file = join(w.dir, 'alice.pub');
    await runCli(['trust', 'key', 'generate', 'alice', '--dir', w.dir], {
      env: w.env,
    });
    const r = await runCli(['trust', 'key', 'load', file], { env: w.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /is not a supported private key .*trust signer add/,
    );
  });

  it('--help shows examples', async () => {
    const r = await runCli(['trust', 'key', 'load', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('imgsign trust key load --name alice alice.pem');
  });
});
