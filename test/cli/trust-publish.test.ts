import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/cli.js';
import {
  startNotaryPeers,
  TEST_PASSPHRASE,
  type NotaryPeers,
} from '../helpers/notary.js';
import { notaryFixtures } from '../helpers/paths.js';
import { describeWithPeers } from '../helpers/peers.js';

let home: string;
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'imgsign-trust-publish-cli-'));
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

/** No server is reachable at this address: every test here fails before or at the first request. */
const NO_SERVER = 'https://127.0.0.1:9';

function imgsign(
  args: string[],
  env: Record<string, string> = {},
): Promise<CliResult> {
  return runCli(args, {
    env: {
      HOME: home,
      DOCKER_CONFIG: join(home, '.docker'),
      DOCKER_CONTENT_TRUST_SERVER: NO_SERVER,
      DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE: undefined,
      DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE: undefined,
      XDG_RUNTIME_DIR: undefined,
      REGISTRY_AUTH_FILE: undefined,
      ...env,
    },
  });
}

/** `trust signer add --key FILE alice REPOSITORY...` with `pem` written to FILE (named `name`) first. */
async function signerAddWithKey(
  name: string,
  pem: string | Buffer,
  repositories = ['example.com/team/app'],
): Promise<CliResult> {
  const file = join(home, name);
  await writeFile(file, pem);
  return imgsign([
    'trust',
    'signer',
    'add',
    '--key',
    file,
    'alice',
    ...repositories,
  ]);
}

describe('imgsign trust sign/revoke/signer --help', () => {
  it.each([
    ['sign', /trust sign example\.com\/team\/app:1\.0/],
    ['revoke', /trust revoke -y example\.com\/team\/app/],
    [
      'signer add',
      /trust signer add --key alice\.pub alice example\.com\/team\/app/,
    ],
    ['signer remove', /trust signer remove -f alice example\.com\/team\/app/],
  ])('%s shows its examples', async (command, example) => {
    const r = await imgsign(['trust', ...command.split(' '), '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(example);
  });

  it('the signer topic lists add and remove', async () => {
    const r = await imgsign(['trust', 'signer', '--help']);
    expect(r.stdout).toMatch(/trust signer add/);
    expect(r.stdout).toMatch(/trust signer remove/);
  });
});

describe('imgsign trust sign', () => {
  it('needs a tag', async () => {
    const r = await imgsign(['trust', 'sign', 'example.com/team/app']);
    expect(r.stderr).toBe(
      'imgsign: no tag specified for example.com/team/app\n',
    );
    expect(r.code).toBe(2);
  });

  it('reports a usage error as JSON with --json', async () => {
    const r = await imgsign([
      'trust',
      'sign',
      'example.com/team/app',
      '--json',
    ]);
    expect(JSON.parse(r.stdout)).toEqual({
      error: {
        code: 'USAGE',
        message: 'no tag specified for example.com/team/app',
      },
    });
    expect(r.code).toBe(2);
  });

  it('fails with the registry named when the image cannot be read', async () => {
    const r = await imgsign(['trust', 'sign', '127.0.0.1:9/team/app:v1']);
    expect(r.stderr).toMatch(
      /^imgsign: reading the image to sign from its registry: /,
    );
    expect(r.code).toBe(3);
  });
});

describe('imgsign trust revoke', () => {
  it('refuses to revoke every tag without -y when there is no terminal', async () => {
    const r = await imgsign(['trust', 'revoke', 'example.com/team/app']);
    expect(r.stderr).toBe(
      'imgsign: Confirm you would like to delete all signature data for example.com/team/app? Refusing without confirmation: there is no terminal to ask on; pass -y to proceed\n',
    );
    expect(r.code).toBe(2);
  });

  it('with -y goes to the server (unreachable here: exit 3)', async () => {
    const r = await imgsign(['trust', 'revoke', '-y', 'example.com/team/app']);
    expect(r.stderr).toMatch(
      /^imgsign: could not remove signature for example\.com\/team\/app: .*server unavailable/,
    );
    expect(r.code).toBe(3);
  });
});

describe('imgsign trust signer add', () => {
  it('needs --key', async () => {
    const r = await imgsign([
      'trust',
      'signer',
      'add',
      'alice',
      'example.com/team/app',
    ]);
    expect(r.stderr).toBe(
      'imgsign: path to a public key must be provided using the `--key` flag\n',
    );
    expect(r.code).toBe(2);
  });

  it('refuses an expired signer certificate', async () => {
    const r = await imgsign([
      'trust',
      'signer',
      'add',
      '--key',
      join(notaryFixtures, 'secure.example.com.crt'),
      'alice',
      'example.com/team/app',
    ]);
    expect(r.stderr).toMatch(
      /secure\.example\.com\.crt: certificate secure\.example\.com: expired at 2023-04-22/,
    );
    expect(r.code).toBe(2);
  });

  it('refuses a file that holds a private key', async () => {
    const r = await signerAddWithKey(
      'private.pem',
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
        type: 'pkcs8',
        format: 'pem',
      }),
    );
    expect(r.stderr).toMatch(
      /unsupported PEM block type "PRIVATE KEY", expected CERTIFICATE or PUBLIC KEY/,
    );
    expect(r.code).toBe(2);
  });

  it('refuses an RSA-1024 public key', async () => {
    const r = await signerAddWithKey(
      'rsa1024.pub',
      generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({
        type: 'spki',
        format: 'pem',
      }),
    );
    expect(r.stderr).toMatch(/RSA key has 1024 bits/);
    expect(r.code).toBe(2);
  });

  it('reports each repository it could not change, then fails naming them', async () => {
    const r = await signerAddWithKey(
      'ok.pub',
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
        type: 'spki',
        format: 'pem',
      }),
      ['example.com/a', 'example.com/b'],
    );
    expect(r.stdout).toBe(
      'Adding signer "alice" to example.com/a...\nAdding signer "alice" to example.com/b...\n',
    );
    expect(r.stderr).toMatch(
      /server unavailable[^\n]*\n\nimgsign: .*server unavailable[^\n]*\n\nimgsign: failed to add signer to: example\.com\/a, example\.com\/b\n$/,
    );
    expect(r.code).toBe(3);
  });
});

describe('imgsign trust signer remove', () => {
  it('refuses releases', async () => {
    const r = await imgsign([
      'trust',
      'signer',
      'remove',
      'releases',
      'example.com/a',
      '--json',
    ]);
    expect(JSON.parse(r.stdout)).toEqual({
      error: {
        code: 'USAGE',
        message: 'error removing signer from: example.com/a',
      },
    });
    expect(r.code).toBe(2);
  });
});

// Successful runs and their --json shapes against a real notary-server.
describeWithPeers(
  'imgsign trust signer/revoke --json against notary-server',
  ['notary-server', 'notary-signer'],
  () => {
    let peers: NotaryPeers;
    let env: Record<string, string>;
    const gun = 'example.com/imgsign/cli';
    let keyFile: string;

    beforeAll(async () => {
      peers = await startNotaryPeers();
      const dockerConfig = await peers.dockerConfigDir();
      env = {
        DOCKER_CONFIG: dockerConfig,
        DOCKER_CONTENT_TRUST_SERVER: peers.serverUrl,
        DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE: TEST_PASSPHRASE,
        DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE: TEST_PASSPHRASE,
      };
      const dir = await peers.tempDir();
      const r = await imgsign(
        ['trust', 'key', 'generate', 'dora', '--dir', dir],
        env,
      );
      expect(r.code).toBe(0);
      keyFile = join(dir, 'dora.pub');
    }, 60_000);
    afterAll(async () => {
      await peers?.stop();
    });

    it('signer add --json initializes the repository and reports it', async () => {
      const r = await imgsign(
        ['trust', 'signer', 'add', '--key', keyFile, 'dora', gun, '--json'],
        env,
      );
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({
        signer: 'dora',
        repositories: [{ repository: gun, gun, initialized: true }],
      });
    });

    it("revoke -y --json of a repository without signed tags fails with docker's message", async () => {
      const r = await imgsign(['trust', 'revoke', '-y', gun, '--json'], env);
      expect(JSON.parse(r.stdout)).toEqual({
        error: {
          code: 'TRUST',
          message: `could not remove signature for ${gun}: no signed tags to remove`,
        },
      });
      expect(r.code).toBe(1);
    });

    it('signer remove of a signer that signed nothing fails as docker does', async () => {
      const r = await imgsign(['trust', 'signer', 'remove', 'dora', gun], env);
      expect(r.stdout).toBe(`Removing signer "dora" from ${gun}...\n`);
      expect(r.stderr).toBe(
        'imgsign: all signed tags are currently revoked, use docker trust sign to fix\n\nimgsign: error removing signer from: example.com/imgsign/cli\n',
      );
      expect(r.code).toBe(2);
    });
  },
);
