import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { manifestFixtures } from '../helpers/paths.js';

describe('imgsign manifest-digest', () => {
  it('prints the digest of a v2s2 manifest', async () => {
    const r = await runCli([
      'manifest-digest',
      join(manifestFixtures, 'v2s2.manifest.json'),
    ]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe(
      'sha256:20bf21ed457b390829cdbeec8795a7bea1626991fda603e0d01b4e7f60427e55\n',
    );
  });
  it('strips the JWS of a signed schema1 manifest, with --json', async () => {
    const r = await runCli([
      'manifest-digest',
      join(manifestFixtures, 'v2s1.manifest.json'),
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      digest:
        'sha256:7364fea9d84ee548ab67d4c46c6006289800c98de3fbf8c0a97138dfcc23f000',
    });
  });
  it('fails with one line for a schema1 manifest with unparsable signatures', async () => {
    const r = await runCli([
      'manifest-digest',
      join(manifestFixtures, 'v2s1-invalid-signatures.manifest.json'),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^imgsign: computing the digest of a signed schema1 manifest: "signatures" is not an array\n$/,
    );
  });
  it('names a missing file', async () => {
    const r = await runCli(['manifest-digest', '/nonexistent/manifest.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /cannot read manifest \/nonexistent\/manifest.json: no such file/,
    );
  });
});
