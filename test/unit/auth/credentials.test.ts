import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/paths.js';
import { lookupCredentials } from '../../../src/auth/credentials.js';
import {
  removeCredentials,
  storeCredentials,
} from '../../../src/auth/login.js';
import { normalizeAuthKey } from '../../../src/auth/auth-file.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

async function writeJSON(path: string, value: unknown): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, JSON.stringify(value));
}

describe('lookupCredentials', () => {
  const savedPath = process.env['PATH'];
  afterEach(() => {
    process.env['PATH'] = savedPath;
  });

  it('prefers containers auth.json in XDG_RUNTIME_DIR over the docker config', async () => {
    const root = await tempDir();
    const xdg = join(root, 'run');
    const docker = join(root, 'docker');
    await writeJSON(join(xdg, 'containers/auth.json'), {
      auths: { 'r.example.com': { auth: b64('podman:pw1') } },
    });
    await writeJSON(join(docker, 'config.json'), {
      auths: {
        'https://r.example.com/v1/': { auth: b64('docker:pw2') },
        'other.example.com:5000': { auth: b64('other:pw:with:colons') },
      },
    });
    const sys = { xdgRuntimeDir: xdg, dockerConfigDir: docker, homeDir: root };
    expect(await lookupCredentials(sys, 'r.example.com')).toEqual({
      username: 'podman',
      password: 'pw1',
    });
    expect(await lookupCredentials(sys, 'other.example.com:5000')).toEqual({
      username: 'other',
      password: 'pw:with:colons',
    });
    expect(await lookupCredentials(sys, 'unknown.example.com')).toBeUndefined();
  });

  it('uses only --authfile when given', async () => {
    const root = await tempDir();
    await writeJSON(join(root, 'docker/config.json'), {
      auths: { 'r.example.com': { auth: b64('docker:pw') } },
    });
    const authFile = join(root, 'mine.json');
    await writeJSON(authFile, { auths: {} });
    expect(
      await lookupCredentials(
        { authFilePath: authFile, dockerConfigDir: join(root, 'docker') },
        'r.example.com',
      ),
    ).toBeUndefined();
  });

  it('matches docker.io under its legacy index URL and the most specific repository key', async () => {
    const root = await tempDir();
    const authFile = join(root, 'auth.json');
    await writeJSON(authFile, {
      auths: {
        'https://index.docker.io/v1/': { auth: b64('hub:pw') },
        'quay.io': { auth: b64('quay:any') },
        'quay.io/team': { auth: b64('quay:team') },
      },
    });
    const sys = { authFilePath: authFile };
    expect(await lookupCredentials(sys, 'docker.io')).toEqual({
      username: 'hub',
      password: 'pw',
    });
    expect(await lookupCredentials(sys, 'quay.io', 'team/app')).toEqual({
      username: 'quay',
      password: 'team',
    });
    expect(await lookupCredentials(sys, 'quay.io', 'other/app')).toEqual({
      username: 'quay',
      password: 'any',
    });
  });

  it('returns an identitytoken as a <token> credential', async () => {
    const authFile = join(await tempDir(), 'auth.json');
    await writeJSON(authFile, {
      auths: { 'acr.example.com': { auth: '', identitytoken: 'refresh-xyz' } },
    });
    expect(
      await lookupCredentials({ authFilePath: authFile }, 'acr.example.com'),
    ).toEqual({
      username: '<token>',
      password: 'refresh-xyz',
    });
  });

  it('asks docker-credential helpers (credHelpers, then credsStore)', async () => {
    const root = await tempDir();
    const bin = join(root, 'bin');
    await mkdir(bin);
    for (const [name, user] of [
      ['fake-one', 'from-helper'],
      ['fake-store', 'from-store'],
    ]) {
      const script = join(bin, `docker-credential-${name}`);
      await writeFile(
        script,
        `#!/bin/sh\nread server\n[ "$1" = get ] || exit 3\nprintf '{"ServerURL":"%s","Username":"${user}","Secret":"s-%s"}' "$server" "$server"\n`,
      );
      await chmod(script, 0o755);
    }
    process.env['PATH'] = `${bin}:${savedPath ?? ''}`;
    const authFile = join(root, 'config.json');
    await writeJSON(authFile, {
      credHelpers: { 'helped.example.com': 'fake-one' },
      credsStore: 'fake-store',
    });
    const sys = { authFilePath: authFile };
    expect(await lookupCredentials(sys, 'helped.example.com')).toEqual({
      username: 'from-helper',
      password: 's-helped.example.com',
    });
    expect(await lookupCredentials(sys, 'stored.example.com')).toEqual({
      username: 'from-store',
      password: 's-stored.example.com',
    });
  });

  it('rejects a malformed auth file instead of going anonymous', async () => {
    const authFile = join(await tempDir(), 'auth.json');
    await writeFile(authFile, '{"auths": [');
    await expect(
      lookupCredentials({ authFilePath: authFile }, 'r.example.com'),
    ).rejects.toMatchObject({
      code: 'USAGE',
      message: expect.stringMatching(/not valid JSON/),
    });
  });
});

describe('storeCredentials / removeCredentials', () => {
  it('writes 0600 atomically, keeps other content, replaces equivalent keys', async () => {
    const root = await tempDir();
    const authFile = join(root, 'containers', 'auth.json');
    await writeJSON(authFile, {
      auths: {
        'https://r.example.com': { auth: b64('old:old') },
        'keep.example.com': { auth: b64('k:k') },
      },
      credHelpers: { 'x.example.com': 'pass' },
    });
    await storeCredentials({ authFilePath: authFile }, 'r.example.com', {
      username: 'new',
      password: 'pw',
    });
    expect((await stat(authFile)).mode & 0o777).toBe(0o600);
    const file = JSON.parse(await readFile(authFile, 'utf8'));
    expect(file.auths).toEqual({
      'keep.example.com': { auth: b64('k:k') },
      'r.example.com': { auth: b64('new:pw') },
    });
    expect(file.credHelpers).toEqual({ 'x.example.com': 'pass' });

    await removeCredentials({ authFilePath: authFile }, 'r.example.com');
    expect(JSON.parse(await readFile(authFile, 'utf8')).auths).toEqual({
      'keep.example.com': { auth: b64('k:k') },
    });
    await expect(
      removeCredentials({ authFilePath: authFile }, 'r.example.com'),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await removeCredentials({ authFilePath: authFile }, undefined, {
      all: true,
    });
    expect(JSON.parse(await readFile(authFile, 'utf8')).auths).toEqual({});
  });

  it('defaults to XDG_RUNTIME_DIR/containers/auth.json', async () => {
    const xdg = await tempDir();
    const path = await storeCredentials(
      { xdgRuntimeDir: xdg },
      'localhost:5000',
      { username: 'a', password: 'b' },
    );
    expect(path).toBe(join(xdg, 'containers/auth.json'));
  });

  it('normalises keys the way lookups do', () => {
    expect(normalizeAuthKey('https://index.docker.io/v1/')).toBe('docker.io');
    expect(normalizeAuthKey('http://localhost:5000/')).toBe('localhost:5000');
    expect(normalizeAuthKey('quay.io/ns/app')).toBe('quay.io/ns/app');
  });
});
