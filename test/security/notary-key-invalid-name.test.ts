import { readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodePrivateKeyPem } from '../../src/notary/keystore/key-file.js';
import { validateKeyName } from '../../src/notary/keystore/signer-keys.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/paths.js';
import { PASS, keyFile, loadWorld, newP256 } from './notary-key-hostile.js';

const INVALID = [
  'Alice',
  '-alice',
  '_alice',
  '',
  'a/b',
  '../x',
  'a b',
  'a.b',
  'é',
  'a\nb',
];

describe('when a key name is invalid', () => {
  it.each(INVALID)('validateKeyName refuses %j', (name) => {
    expect(() => validateKeyName(name)).toThrow(
      expect.objectContaining({ code: 'USAGE' }),
    );
  });

  it.each(['Alice', '../escape', 'a/b', '-x'])(
    'trust key generate %j exits 2 and writes nothing',
    async (name) => {
      const dir = await tempDir();
      const r = await runCli(
        ['trust', 'key', 'generate', '--dir', dir, '--', name],
        {
          env: {
            DOCKER_CONFIG: join(dir, 'docker'),
            DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE: PASS,
          },
        },
      );
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        /^imgsign: key name .* must start with a lowercase letter or digit/,
      );
      expect(r.stdout).toBe('');
      expect(await readdir(dir)).toEqual([]);
      expect(existsSync(join(dir, '../escape.pub'))).toBe(false);
    },
  );

  it('trust key load --name with an invalid name exits 2 and stores nothing', async () => {
    const w = await loadWorld();
    const file = await keyFile(w.dir, 'k.pem', encodePrivateKeyPem(newP256()));
    const r = await w.load(file, '--name', 'targets/releases');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/key name "targets\/releases"/);
    await expect(readdir(w.privateDir)).rejects.toThrow();
  });

  it('"releases" is a valid key name (docker allows it; only signer add refuses it)', () => {
    expect(() => validateKeyName('releases')).not.toThrow();
  });
});
