import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ImgsignError } from '../../../../src/errors.js';
import {
  encodePrivateKeyPem,
  encodePublicKeyPem,
  keyFileAttributes,
  parsePrivateKeyPem,
} from '../../../../src/notary/keystore/key-file.js';
import { decodePem } from '../../../../src/notary/keystore/pem.js';
import { parseDer, children } from '../../../../src/notary/der.js';
import {
  tufKeyId,
  tufPrivateKeyFromKeyObject,
} from '../../../../src/notary/keystore/tuf-private-key.js';
import { sharedFixtures } from '../../../helpers/paths.js';

const compat = join(sharedFixtures, 'notary/compatibility');

async function keyFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.key'))
    .map((e) => join(e.parentPath, e.name));
}

function expectCode(fn: () => unknown, code: string, message: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ImgsignError);
    expect((err as ImgsignError).code).toBe(code);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('\n');
    return;
  }
  throw new Error('expected an error');
}

describe('notary compatibility fixture keys', () => {
  for (const [version, passphrase, count] of [
    ['notary0.1', 'randompass', 3],
    ['notary0.3', 'password', 4],
  ] as const) {
    it(`${version}: every key decrypts and its canonical ID is its file name`, async () => {
      const files = await keyFiles(join(compat, version, 'private'));
      expect(files).toHaveLength(count);
      for (const file of files) {
        const text = readFileSync(file, 'utf8');
        const key = parsePrivateKeyPem(text, passphrase, file);
        expect(key.id).toBe(basename(file, '.key').replace(/_[a-z]+$/, ''));
        expect(keyFileAttributes(text, file).encrypted).toBe(true);
      }
    });

    it(`${version}: a wrong passphrase is a PASSPHRASE error`, async () => {
      const [file] = await keyFiles(join(compat, version, 'private'));
      const text = readFileSync(file!, 'utf8');
      expectCode(
        () => parsePrivateKeyPem(text, 'not-the-passphrase', file!),
        'PASSPHRASE',
        /wrong passphrase/,
      );
      expectCode(
        () => parsePrivateKeyPem(text, undefined, file!),
        'PASSPHRASE',
        /passphrase is needed/,
      );
    });
  }

  it('notary0.3 delegation key is RSA with role targets/releases and no gun', () => {
    const file = join(
      compat,
      'notary0.3/private/tuf_keys/fa842f66cac2dc898677a8660789dcff0e3b0b93b73f8952491f6493199936d3.key',
    );
    const text = readFileSync(file, 'utf8');
    expect(keyFileAttributes(text, file)).toEqual({
      type: 'RSA PRIVATE KEY',
      role: 'targets/releases',
      gun: '',
      encrypted: true,
    });
    expect(parsePrivateKeyPem(text, 'password', file).keyType).toBe('rsa');
  });
});

function newKey(type: 'ec' | 'rsa' | 'ed25519') {
  const { privateKey } =
    type === 'ec'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : type === 'rsa'
        ? generateKeyPairSync('rsa', { modulusLength: 2048 })
        : generateKeyPairSync('ed25519');
  return tufPrivateKeyFromKeyObject(privateKey, 'test key');
}

describe('writing key files', () => {
  for (const type of ['ec', 'rsa', 'ed25519'] as const) {
    it(`${type}: encrypted and plain PKCS#8 round-trip with role and gun headers`, () => {
      const key = newKey(type);
      const enc = encodePrivateKeyPem(key, {
        role: 'targets',
        gun: 'example.com/a/b',
        passphrase: 'pw',
      });
      expect(enc).toMatch(
        /^-----BEGIN ENCRYPTED PRIVATE KEY-----\ngun: example.com\/a\/b\nrole: targets\n\n/,
      );
      expect(parsePrivateKeyPem(enc, 'pw', 'enc').id).toBe(key.id);
      const plain = encodePrivateKeyPem(key, { role: 'alice' });
      expect(plain).toMatch(/^-----BEGIN PRIVATE KEY-----\nrole: alice\n\n/);
      expect(
        parsePrivateKeyPem(plain, undefined, 'plain').privateBytes,
      ).toEqual(key.privateBytes);
    });
  }

  it('ECDSA PKCS#8 uses version 1 and the curve OID (notary quirk)', () => {
    const key = newKey('ec');
    const block = decodePem(encodePrivateKeyPem(key), 'x')!;
    const [version, algorithm] = children(parseDer(block.bytes, 'x'), 'x');
    expect(version!.body).toEqual(Buffer.from([1]));
    expect(
      children(algorithm!, 'x').map((n) => n.body.toString('hex')),
    ).toEqual(['2a8648ce3d0201', '2a8648ce3d030107']);
  });

  it('Ed25519 PKCS#8 uses notary OID 1.3.6.1.4.1.11591.15.1 and 96 bytes', () => {
    const key = newKey('ed25519');
    const block = decodePem(encodePrivateKeyPem(key), 'x')!;
    const [, algorithm, inner] = children(parseDer(block.bytes, 'x'), 'x');
    expect(children(algorithm!, 'x')[0]!.body).toEqual(
      Buffer.from([0x2b, 6, 1, 4, 1, 0xda, 0x47, 15, 1]),
    );
    expect(inner!.body).toHaveLength(96);
    expect(inner!.body.subarray(0, 32)).toEqual(key.publicBytes);
  });

  it('the public key PEM is PUBLIC KEY with a role header and DER SPKI', () => {
    const key = newKey('ec');
    const pem = encodePublicKeyPem(key, 'alice');
    const block = decodePem(pem, 'pub')!;
    expect(block.type).toBe('PUBLIC KEY');
    expect(block.headers).toEqual({ role: 'alice' });
    expect(tufKeyId('ecdsa', block.bytes)).toBe(key.id);
  });
});
