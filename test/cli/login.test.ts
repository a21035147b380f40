import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/paths.js';
import { describeWithPeers } from '../helpers/peers.js';
import { startRegistry, type TestRegistry } from '../servers/registry.js';

for (const auth of ['htpasswd', 'token'] as const) {
  describeWithPeers(`imgsign login/logout (${auth})`, ['registry'], () => {
    let registry: TestRegistry;
    beforeAll(async () => {
      registry = await startRegistry({ auth });
    });
    afterAll(async () => {
      await registry?.stop();
    });

    it('refuses a wrong password and writes nothing', async () => {
      const authfile = join(await tempDir(), 'auth.json');
      const r = await runCli(
        [
          'login',
          '-u',
          registry.username!,
          '--password-stdin',
          '--authfile',
          authfile,
          registry.host,
        ],
        { input: 'not-the-password\n' },
      );
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/invalid username\/password/);
      await expect(stat(authfile)).rejects.toThrow(/ENOENT/);
    });

    it('stores checked credentials 0600, uses them, and logout removes them', async () => {
      const authfile = join(await tempDir(), 'sub', 'auth.json');
      const r = await runCli(
        [
          'login',
          '-u',
          registry.username!,
          '--password-stdin',
          '--authfile',
          authfile,
          '--tls-verify=false',
          registry.host,
        ],
        { input: `${registry.password}\n` },
      );
      expect(r.stderr).toBe('');
      expect(r.stdout).toContain('Login Succeeded!');
      expect(r.code).toBe(0);
      expect((await stat(authfile)).mode & 0o777).toBe(0o600);
      const file = JSON.parse(await readFile(authfile, 'utf8'));
      expect(
        Buffer.from(file.auths[registry.host].auth, 'base64').toString(),
      ).toBe(`${registry.username}:${registry.password}`);

      // The stored credentials are found by other commands.
      const tags = await runCli([
        'list-tags',
        '--authfile',
        authfile,
        `docker://${registry.host}/nothing/here`,
      ]);
      expect(tags.stderr).toMatch(/NAME_UNKNOWN/);
      expect(tags.code).toBe(3);

      const out = await runCli([
        'logout',
        '--json',
        '--authfile',
        authfile,
        registry.host,
      ]);
      expect(out.code).toBe(0);
      expect(JSON.parse(out.stdout)).toEqual({
        registry: registry.host,
        authFile: authfile,
      });
      const after = JSON.parse(await readFile(authfile, 'utf8'));
      expect(after.auths).toEqual({});

      const denied = await runCli([
        'list-tags',
        '--authfile',
        authfile,
        `docker://${registry.host}/nothing/here`,
      ]);
      expect(denied.code).toBe(3);
      expect(denied.stderr).toMatch(/HTTP 401/);

      const again = await runCli([
        'logout',
        '--authfile',
        authfile,
        registry.host,
      ]);
      expect(again.code).toBe(3);
      expect(again.stderr).toMatch(/not logged in/);
    });
  });
}
