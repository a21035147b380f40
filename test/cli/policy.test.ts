import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { signatureFixtures, tempDir } from '../helpers/paths.js';

const fixturePolicy = join(signatureFixtures, 'policy.json');

describe('imgsign policy show', () => {
  it('prints a table of every requirement of the fixture policy', async () => {
    const r = await runCli(['policy', 'show', '--policy', fixturePolicy]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`Policy: ${fixturePolicy}`);
    expect(lines[1]).toMatch(
      /^TRANSPORT\s+SCOPE\s+TYPE\s+KEYS\s+SIGNED IDENTITY$/,
    );
    expect(lines[2]).toMatch(/^all\s+default\s+reject$/);
    expect(r.stdout).toMatch(
      /docker\s+example\.com\/production\s+signed\s+\/keys\/employee-gpg-keyring\s+matchRepoDigestOrExact/,
    );
    expect(lines).toHaveLength(2 + 19);
  });

  it('--json gives the rows', async () => {
    const r = await runCli([
      'policy',
      'show',
      '--policy',
      fixturePolicy,
      '--json',
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.policy).toBe(fixturePolicy);
    expect(out.rows[0]).toEqual({
      transport: 'all',
      scope: 'default',
      type: 'reject',
      keys: [],
    });
    expect(out.rows).toContainEqual({
      transport: 'docker',
      scope: 'private-mirror:5000/vendor-mirror',
      type: 'signed',
      keys: ['/keys/vendor-gpg-keyring'],
      signedIdentity:
        'remapIdentity private-mirror:5000/vendor-mirror -> vendor.example.com',
    });
  });

  it('without --policy uses the per-user file under $HOME', async () => {
    const home = await tempDir();
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(home, '.config/containers'), { recursive: true });
    await writeFile(
      join(home, '.config/containers/policy.json'),
      '{"default":[{"type":"reject"}]}',
    );
    const r = await runCli(['policy', 'show', '--json'], {
      env: { HOME: home },
    });
    expect(JSON.parse(r.stdout).policy).toBe(
      join(home, '.config/containers/policy.json'),
    );
  });

  it('an invalid policy is a usage error (exit 2) naming file, path and line', async () => {
    const dir = await tempDir();
    const p = join(dir, 'p.json');
    await writeFile(p, '{\n"default": null}');
    const r = await runCli(['policy', 'show', '--policy', p]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      `imgsign: invalid policy in ${p} at default (line 2): the requirement list must not be null`,
    );
  });
});

describe('imgsign policy set', () => {
  it('edits one scope, keeps the rest, and the result loads', async () => {
    const dir = await tempDir();
    const p = join(dir, 'policy.json');
    await writeFile(
      p,
      '{"default":[{"type":"insecureAcceptAnything"}],"transports":{"dir":{"":[{"type":"reject"}]}}}',
    );
    const key = join(signatureFixtures, 'public-key.gpg');
    const r = await runCli([
      'policy',
      'set',
      '--policy',
      p,
      '--type',
      'signedBy',
      '--pubkeysfile',
      key,
      'registry.example.com/team',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      `Updated ${p}: transports.docker["registry.example.com/team"]`,
    );
    const json = JSON.parse(await readFile(p, 'utf8'));
    expect(json.transports).toEqual({
      dir: { '': [{ type: 'reject' }] },
      docker: {
        'registry.example.com/team': [
          { type: 'signedBy', keyType: 'GPGKeys', keyPath: key },
        ],
      },
    });
    const d = await runCli([
      'policy',
      'set',
      '--policy',
      p,
      '-t',
      'reject',
      'default',
      '--json',
    ]);
    expect(JSON.parse(d.stdout)).toMatchObject({
      path: p,
      scope: 'default',
      created: false,
      requirements: [{ type: 'reject' }],
    });
    expect((await runCli(['policy', 'lint', p])).code).toBe(0);
  });

  it('signedBy without keys is a usage error', async () => {
    const dir = await tempDir();
    const p = join(dir, 'policy.json');
    await writeFile(p, '{"default":[{"type":"reject"}]}');
    const r = await runCli([
      'policy',
      'set',
      '--policy',
      p,
      '--type',
      'signedBy',
      'x.com',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      '--type signedBy needs at least one --pubkeysfile',
    );
  });
});

describe('imgsign policy lint', () => {
  it('prints ok for a valid file', async () => {
    const r = await runCli(['policy', 'lint', fixturePolicy]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(`${fixturePolicy}: ok`);
  });

  it('prints each error and exits 2', async () => {
    const dir = await tempDir();
    const p = join(dir, 'p.json');
    await writeFile(
      p,
      '{"default":[{"type":"nope"}],\n"transports":{"docker-archive":{"/x":[{"type":"reject"}]}}}',
    );
    const r = await runCli(['policy', 'lint', p]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain(
      'at default[0].type (line 1): unknown type "nope"',
    );
    expect(lines[1]).toContain(
      'invalid scope "/x" for transport "docker-archive"',
    );
    const j = await runCli(['policy', 'lint', p, '--json']);
    expect(j.code).toBe(2);
    expect(JSON.parse(j.stdout)).toMatchObject({
      file: p,
      ok: false,
      errors: [expect.any(String), expect.any(String)],
    });
  });

  it('/dev/null is not a policy', async () => {
    const r = await runCli(['policy', 'lint', '/dev/null']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      'imgsign: invalid policy in /dev/null: the file is empty (line 1, column 1)',
    );
  });
});
