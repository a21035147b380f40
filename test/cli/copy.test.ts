import { existsSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDirImage, sha256 } from '../fixtures/make-images.js';
import { runCli } from '../helpers/cli.js';
import { signatureFixtures, tempDir } from '../helpers/paths.js';

describe('imgsign copy', () => {
  it('copies dir: → oci: and prints only the result line when not on a TTY', async () => {
    const t = await tempDir();
    const img = await makeDirImage(join(t, 's'), { format: 'oci' });
    const r = await runCli(['copy', `dir:${t}/s`, `oci:${t}/l:v1`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([
      `Copied dir:${t}/s to oci:${t}/l:v1: ${img.manifestDigest} (3 blobs, 0 signatures)`,
    ]);
  });

  it('returns the CopyResult with --json', async () => {
    const t = await tempDir();
    const img = await makeDirImage(join(t, 's'), { format: 'v2s2' });
    const r = await runCli([
      'copy',
      '--json',
      '--format',
      'oci',
      `dir:${t}/s`,
      `dir:${t}/d`,
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out).toMatchObject({
      source: `dir:${t}/s`,
      destination: `dir:${t}/d`,
      sourceManifestDigest: img.manifestDigest,
      digestChanged: true,
      manifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
      signaturesWritten: 0,
      dryRun: false,
    });
    expect(out['manifestDigest']).toBe(
      sha256(await readFile(join(t, 'd/manifest.json'))),
    );
    expect(out['blobs']).toHaveLength(3);
  });

  it("accepts skopeo's --flag=true/false boolean form", async () => {
    const t = await tempDir();
    await makeDirImage(join(t, 's'), { signatures: [Buffer.from('sig')] });
    const r = await runCli([
      'copy',
      '--src-tls-verify=false',
      '--dest-tls-verify=true',
      '--all=false',
      '--remove-signatures=true',
      '--quiet=false',
      `dir:${t}/s`,
      `dir:${t}/d`,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(existsSync(join(t, 'd/signature-1'))).toBe(false);
    const bad = await runCli([
      'copy',
      '--all=maybe',
      `dir:${t}/s`,
      `dir:${t}/e`,
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/invalid value "maybe" for --all/);
  });

  it('rejects --dest-creds without a username', async () => {
    const t = await tempDir();
    await makeDirImage(join(t, 's'));
    const r = await runCli([
      'copy',
      '--dest-creds',
      ':secret',
      `dir:${t}/s`,
      `dir:${t}/d`,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--dest-creds: the username must not be empty/);
    expect(r.stderr).not.toContain('secret');
  });

  it('is silent with --quiet', async () => {
    const t = await tempDir();
    await makeDirImage(join(t, 's'));
    const r = await runCli(['copy', '-q', `dir:${t}/s`, `dir:${t}/d`]);
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });

  it('refuses a conversion that would invalidate signatures (exit 2)', async () => {
    const t = await tempDir();
    await makeDirImage(join(t, 's'), {
      format: 'v2s2',
      signatures: [Buffer.from('sig')],
    });
    const r = await runCli(['copy', `dir:${t}/s`, `oci:${t}/l:x`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^imgsign: Can not copy signatures to oci:.*would invalidate them; use --remove-signatures to copy without them\n$/,
    );
    expect(existsSync(join(t, 'l'))).toBe(false);
  });

  it('exits 1 and writes nothing when a source blob does not match its digest', async () => {
    const t = await tempDir();
    const img = await makeDirImage(join(t, 's'));
    const layer = join(t, 's', img.layers[0]!.digest.slice(7));
    const bytes = await readFile(layer);
    bytes.writeUInt8(
      bytes.readUInt8(bytes.length - 1) ^ 0xff,
      bytes.length - 1,
    );
    await writeFile(layer, bytes);
    const r = await runCli(['copy', `dir:${t}/s`, `dir:${t}/d`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(img.layers[0]!.digest);
    expect(await readdir(t)).toEqual(['s']);
  });

  it('writes nothing with --dry-run and says what would happen', async () => {
    const t = await tempDir();
    const img = await makeDirImage(join(t, 's'));
    const r = await runCli(['copy', '--dry-run', `dir:${t}/s`, `dir:${t}/d`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      `Would copy dir:${t}/s to dir:${t}/d: ${img.manifestDigest}`,
    );
    expect(await readdir(t)).toEqual(['s']);
  });

  it('reports unknown transports and missing arguments as usage errors', async () => {
    const r = await runCli(['copy', 'nope:x', 'dir:/tmp/x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown transport "nope"/);
    expect((await runCli(['copy', 'dir:/tmp/x'])).code).toBe(2);
  });

  it('enforces the policy on the source before copying (exit 1, nothing written)', async () => {
    const t = await tempDir();
    await makeDirImage(join(t, 's'));
    const policy = join(t, 'policy.json');
    await writeFile(
      policy,
      JSON.stringify({
        default: [{ type: 'insecureAcceptAnything' }],
        transports: {
          dir: {
            [join(t, 's')]: [
              {
                type: 'signedBy',
                keyType: 'GPGKeys',
                keyPath: join(signatureFixtures, 'public-key.gpg'),
              },
            ],
          },
        },
      }),
    );
    const r = await runCli([
      'copy',
      '--policy',
      policy,
      `dir:${t}/s`,
      `dir:${t}/d`,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^imgsign: Source image rejected by .*policy\.json: .*signature/,
    );
    expect((await readdir(t)).sort()).toEqual(['policy.json', 's']);
    const ok = await runCli([
      'copy',
      '--policy',
      policy,
      '--insecure-policy=true',
      `dir:${t}/s`,
      `dir:${t}/d`,
    ]);
    expect(ok.code).toBe(0);
  });

  it('documents skopeo-compatible flags in --help', async () => {
    const r = await runCli(['copy', '--help']);
    expect(r.code).toBe(0);
    for (const flag of [
      '--all',
      '--override-arch',
      '--format',
      '--remove-signatures',
      '--src-creds',
      '--dest-tls-verify',
      '--retry-times',
      '--dry-run',
      'EXAMPLES',
    ]) {
      expect(r.stdout).toContain(flag);
    }
  });
});
