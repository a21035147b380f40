import { generateKeyPairSync } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  encode,
  encodeInt,
  encodeOctets,
  encodeOid,
  encodeSequence,
} from '../../src/notary/der.js';
import { encodePem } from '../../src/notary/keystore/pem.js';
import {
  tufPrivateKeyFromKeyObject,
  type TufPrivateKey,
} from '../../src/notary/keystore/tuf-private-key.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { tempDir } from '../helpers/paths.js';

/*
 * Shared set-up for the notary-key-*.test.ts attacks: hostile private key
 * files and a docker config directory to load them into. Each attack keeps
 * its own test file.
 */

export const PASS = 'a fine passphrase';

export function newP256(): TufPrivateKey {
  return tufPrivateKeyFromKeyObject(
    generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
    'test key',
  );
}

/** An EncryptedPrivateKeyInfo with PBES2/PBKDF2/AES-256-CBC and the given IV and ciphertext. */
export function encryptedPkcs8(
  iv: Buffer,
  ciphertext: Buffer,
  iterations = 2048,
): string {
  const der = encodeSequence(
    encodeSequence(
      encodeOid('1.2.840.113549.1.5.13'),
      encodeSequence(
        encodeSequence(
          encodeOid('1.2.840.113549.1.5.12'),
          encodeSequence(
            encodeOctets(Buffer.alloc(8, 1)),
            encodeInt(iterations),
          ),
        ),
        encodeSequence(encodeOid('2.16.840.1.101.3.4.1.42'), encodeOctets(iv)),
      ),
    ),
    encodeOctets(ciphertext),
  );
  return encodePem({
    type: 'ENCRYPTED PRIVATE KEY',
    headers: { role: 'x' },
    bytes: der,
  });
}

export { encode };

export interface LoadWorld {
  dir: string;
  privateDir: string;
  /** `imgsign trust key load` with the repository passphrase set. */
  load(file: string, ...extra: string[]): Promise<CliResult>;
}

export async function loadWorld(passphrase = PASS): Promise<LoadWorld> {
  const dir = await tempDir();
  const config = join(dir, 'docker');
  return {
    dir,
    privateDir: join(config, 'trust/private'),
    load: (file, ...extra) =>
      runCli(['trust', 'key', 'load', ...extra, file], {
        env: {
          DOCKER_CONFIG: config,
          DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE: passphrase,
        },
      }),
  };
}

/** Write `text` to DIR/name with mode 0600 and return its path. */
export async function keyFile(
  dir: string,
  name: string,
  text: string,
): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text, { mode: 0o600 });
  return path;
}
