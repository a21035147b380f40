import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requirementsFor } from '../../../src/policy/evaluate.js';
import {
  loadPolicy,
  loadPolicyFile,
  shippedDefaultPolicyPath,
} from '../../../src/policy/load.js';
import { repoRoot, tempDir } from '../../helpers/paths.js';
import { dockerRef } from './helpers.js';
import { mkdir, writeFile } from 'node:fs/promises';

const dir = join(repoRoot, 'policies');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('shipped policies', () => {
  it('include the default and the documented examples', () => {
    expect(files.sort()).toEqual([
      'accept-anything.json',
      'default.json',
      'mirror-remap.json',
      'reject-by-default.json',
      'require-key-for-registry.json',
    ]);
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    for (const f of files) expect(readme).toContain(`\`${f}\``);
  });

  it.each(files)('%s loads', async (f) => {
    const policy = await loadPolicyFile(join(dir, f));
    expect(policy.default.length).toBeGreaterThan(0);
  });

  it('reject-by-default.json requires a signature for team images only', async () => {
    const p = await loadPolicyFile(join(dir, 'reject-by-default.json'));
    expect(
      requirementsFor(p, dockerRef('registry.example.com/team/app:1'))
        .requirements[0]?.type,
    ).toBe('signedBy');
    expect(
      requirementsFor(p, dockerRef('docker.io/library/busybox:1'))
        .requirements[0]?.type,
    ).toBe('reject');
  });

  it('mirror-remap.json remaps the mirror to the vendor identity', async () => {
    const p = await loadPolicyFile(join(dir, 'mirror-remap.json'));
    const req = requirementsFor(
      p,
      dockerRef('mirror.internal:5000/vendor/p/i:1'),
    ).requirements[0];
    expect(req).toMatchObject({
      signedIdentity: {
        type: 'remapIdentity',
        signedPrefix: 'vendor.example.com',
      },
    });
  });
});

describe('loadPolicy lookup order', () => {
  const accept = '{"default":[{"type":"insecureAcceptAnything"}]}';
  const reject = '{"default":[{"type":"reject"}]}';

  it('--policy wins and never falls back', async () => {
    const t = await tempDir();
    await writeFile(join(t, 'p.json'), reject);
    expect(
      (await loadPolicy({ path: join(t, 'p.json'), homeDir: t })).source,
    ).toBe(join(t, 'p.json'));
    await expect(loadPolicy({ path: join(t, 'missing.json') })).rejects.toThrow(
      `policy file ${join(t, 'missing.json')} does not exist`,
    );
  });

  it('then $HOME/.config/containers/policy.json, then the system file, then the shipped default', async () => {
    const home = await tempDir();
    const sys = join(home, 'etc-policy.json');
    const opts = { homeDir: home, systemPath: sys };
    expect((await loadPolicy(opts)).source).toBe(shippedDefaultPolicyPath());
    await writeFile(sys, reject);
    expect((await loadPolicy(opts)).source).toBe(sys);
    await mkdir(join(home, '.config/containers'), { recursive: true });
    await writeFile(join(home, '.config/containers/policy.json'), accept);
    expect((await loadPolicy(opts)).source).toBe(
      join(home, '.config/containers/policy.json'),
    );
  });

  it('an invalid file found on the way is an error, not skipped', async () => {
    const home = await tempDir();
    const sys = join(home, 'etc-policy.json');
    await writeFile(sys, '{"default":[]}');
    await expect(
      loadPolicy({ homeDir: home, systemPath: sys }),
    ).rejects.toThrow(
      `invalid policy in ${sys} at default (line 1): the requirement list must not be empty`,
    );
  });

  it('--insecure-policy accepts anything without reading files', async () => {
    const loaded = await loadPolicy({ insecure: true, path: '/nonexistent' });
    expect(loaded.policy.default).toEqual([{ type: 'insecureAcceptAnything' }]);
  });

  it('no file anywhere (package without policies/) is an error listing the paths', async () => {
    const home = await tempDir();
    await expect(
      loadPolicy({
        homeDir: home,
        systemPath: join(home, 'nope.json'),
        packageRoot: home,
      }),
    ).rejects.toThrow(
      /^no policy found: none of .* exists; pass --policy FILE$/,
    );
  });
});
