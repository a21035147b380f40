import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { setPolicyEntry } from '../../../src/policy/edit.js';
import { parsePolicy } from '../../../src/policy/parse.js';
import { tempDir } from '../../helpers/paths.js';

const original = `{
  "default": [{"type": "reject"}],
  "transports": {
    "docker": {
      "keep.example.com": [{"type": "signedBy", "keyType": "GPGKeys", "keyData": "", "signedIdentity": {"type": "matchRepository"}}],
      "replace.example.com": [{"type": "reject"}]
    },
    "dir": {"": [{"type": "insecureAcceptAnything"}]}
  }
}`;

async function setup(text = original): Promise<string> {
  const dir = await tempDir();
  const path = join(dir, 'policy.json');
  await writeFile(path, text, { mode: 0o640 });
  return path;
}

describe('setPolicyEntry (podman image trust set semantics)', () => {
  it('replaces one scope and keeps every unrelated entry', async () => {
    const path = await setup();
    await setPolicyEntry(path, {
      scope: 'replace.example.com',
      type: 'signedBy',
      pubKeysFiles: ['/k/a.gpg', 'rel.gpg'],
    });
    const json = JSON.parse(await readFile(path, 'utf8'));
    expect(json.transports.docker['replace.example.com']).toEqual([
      { type: 'signedBy', keyType: 'GPGKeys', keyPath: '/k/a.gpg' },
      {
        type: 'signedBy',
        keyType: 'GPGKeys',
        keyPath: join(process.cwd(), 'rel.gpg'),
      },
    ]);
    expect(json.transports.docker['keep.example.com']).toEqual(
      JSON.parse(original).transports.docker['keep.example.com'],
    );
    expect(json.transports.dir).toEqual({
      '': [{ type: 'insecureAcceptAnything' }],
    });
    expect(json.default).toEqual([{ type: 'reject' }]);
    expect(() => parsePolicy(JSON.stringify(json), path)).not.toThrow();
    expect((await stat(path)).mode & 0o777).toBe(0o640);
    expect(await readdir(join(path, '..'))).toEqual(['policy.json']);
  });

  it('sets the default with scope "default", and accept maps to insecureAcceptAnything', async () => {
    const path = await setup();
    await setPolicyEntry(path, { scope: 'default', type: 'accept' });
    expect(JSON.parse(await readFile(path, 'utf8')).default).toEqual([
      { type: 'insecureAcceptAnything' },
    ]);
  });

  it('adds a new transport section and scope', async () => {
    const path = await setup('{"default":[{"type":"reject"}]}');
    const r = await setPolicyEntry(path, {
      scope: 'docker://quay.io/team',
      type: 'reject',
    });
    expect(r.scope).toBe('quay.io/team');
    expect(JSON.parse(await readFile(path, 'utf8')).transports).toEqual({
      docker: { 'quay.io/team': [{ type: 'reject' }] },
    });
  });

  it('creates a missing file only for the default scope', async () => {
    const dir = await tempDir();
    const path = join(dir, 'new.json');
    await expect(
      setPolicyEntry(path, { scope: 'x.com', type: 'reject' }),
    ).rejects.toThrow('does not exist; create it first');
    const r = await setPolicyEntry(path, { scope: 'default', type: 'reject' });
    expect(r.created).toBe(true);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({
      default: [{ type: 'reject' }],
    });
  });

  it('refuses to edit an invalid file, leaving it untouched', async () => {
    const bad = '{"default":[{"type":"reject"}],"oops":1}';
    const path = await setup(bad);
    await expect(
      setPolicyEntry(path, { scope: 'default', type: 'accept' }),
    ).rejects.toThrow('unknown key "oops"');
    expect(await readFile(path, 'utf8')).toBe(bad);
  });

  it.each([
    [
      { scope: 'x.com', type: 'signedBy' as const },
      '--type signedBy needs at least one --pubkeysfile',
    ],
    [
      { scope: 'x.com', type: 'accept' as const, pubKeysFiles: ['/k'] },
      '--pubkeysfile can only be used with --type signedBy',
    ],
    [
      { scope: 'relative', type: 'reject' as const, transport: 'dir' },
      'invalid scope "relative" for transport "dir": must be an absolute path',
    ],
  ])('rejects bad options: %j', async (options, message) => {
    const path = await setup();
    await expect(setPolicyEntry(path, options)).rejects.toThrow(message);
    expect(await readFile(path, 'utf8')).toBe(original);
  });
});
