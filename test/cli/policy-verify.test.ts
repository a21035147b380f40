import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { signatureFixtures as F, tempDir } from '../helpers/paths.js';

const M =
  'sha256:20bf21ed457b390829cdbeec8795a7bea1626991fda603e0d01b4e7f60427e55';

async function policyFile(
  identity: object = {
    type: 'exactReference',
    dockerReference: 'testing/manifest:latest',
  },
): Promise<string> {
  const dir = await tempDir();
  const p = join(dir, 'policy.json');
  await writeFile(
    p,
    JSON.stringify({
      default: [{ type: 'reject' }],
      transports: {
        dir: {
          '': [
            {
              type: 'signedBy',
              keyType: 'GPGKeys',
              keyPath: join(F, 'public-key.gpg'),
              signedIdentity: identity,
            },
          ],
        },
      },
    }),
  );
  return p;
}

const img = (name: string) => `dir:${join(F, name)}`;

describe('imgsign verify', () => {
  it('accepts a signed image, naming the requirement and the digest', async () => {
    const p = await policyFile();
    const r = await runCli(['verify', '--policy', p, img('dir-img-valid')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`ACCEPTED ${img('dir-img-valid')}`);
    expect(r.stdout).toContain('policy section: transports.dir[""]');
    expect(r.stdout).toContain(
      'accepted: signed by key 08CD26E446E2E95249B7A405E932F44B23E8DD43 as "testing/manifest:latest"',
    );
    expect(r.stdout).toContain(`manifest digest: ${M}`);
  });

  it('exits 1 when any image is rejected, explaining each', async () => {
    const p = await policyFile();
    const r = await runCli([
      'verify',
      '--policy',
      p,
      img('dir-img-valid'),
      img('dir-img-unsigned'),
      img('dir-img-modified-manifest'),
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`REJECTED ${img('dir-img-unsigned')}`);
    expect(r.stdout).toContain(
      `A signature was required, but no signature exists (looked in directory ${join(F, 'dir-img-unsigned')})`,
    );
    expect(r.stdout).toMatch(
      /digest mismatch: signature is for manifest digest sha256:20bf21ed.*, but the manifest of dir:.* has digest sha256:2edc21ff/,
    );
    expect(r.stderr.trim()).toBe(
      `imgsign: 2 of 3 images rejected by policy ${p}`,
    );
  });

  it('lists every signature and why when several were rejected', async () => {
    const p = await policyFile({
      type: 'exactReference',
      dockerReference: 'testing/manifest:other',
    });
    const r = await runCli(['verify', '--policy', p, img('dir-img-mixed')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('    signature 1: not accepted: invalid');
    expect(r.stdout).toContain(
      '    signature 2: not accepted: identity "testing/manifest:latest" is not accepted for "testing/manifest:other" under exactReference testing/manifest:other',
    );
  });

  it('--json reports each image and still exits 1 on rejection', async () => {
    const p = await policyFile();
    const r = await runCli([
      'verify',
      '--json',
      '--policy',
      p,
      img('dir-img-valid'),
      img('dir-img-unsigned'),
    ]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ policy: p, allowed: false });
    expect(out.images).toHaveLength(2);
    expect(out.images[0]).toMatchObject({
      allowed: true,
      manifestDigest: M,
      scope: 'transports.dir[""]',
    });
    expect(out.images[0].results[0]).toMatchObject({
      type: 'signedBy',
      outcome: 'accepted',
    });
    expect(out.images[1]).toMatchObject({
      allowed: false,
      inconclusive: false,
    });
    expect(out.images[1].results[0].reason).toMatch(
      /^A signature was required/,
    );
  });

  it('--from reads a plain list and de-duplicates', async () => {
    const p = await policyFile();
    const dir = await tempDir();
    const list = join(dir, 'images.txt');
    await writeFile(
      list,
      `# deploy\n${img('dir-img-valid')}\n${img('dir-img-valid-2')}\n${img('dir-img-valid')}\n`,
    );
    const r = await runCli(['verify', '--policy', p, '--from', list, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      images: { image: string; where: string[] }[];
    };
    expect(out.images.map((i) => i.image)).toEqual([
      img('dir-img-valid'),
      img('dir-img-valid-2'),
    ]);
    expect(out.images[0]?.where).toEqual([`${list}:2`, `${list}:4`]);
  });

  it('--from reads a multi-document Kubernetes manifest', async () => {
    const p = await policyFile();
    const dir = await tempDir();
    const file = join(dir, 'deploy.yaml');
    await writeFile(
      file,
      [
        'kind: Deployment',
        'metadata: {name: web}',
        'spec:',
        '  template:',
        '    spec:',
        `      initContainers: [{name: init, image: "${img('dir-img-valid')}"}]`,
        `      containers: [{name: app, image: "${img('dir-img-unsigned')}"}]`,
        '---',
        'kind: CronJob',
        'metadata: {name: nightly}',
        `spec: {jobTemplate: {spec: {template: {spec: {containers: [{name: job, image: "${img('dir-img-valid')}"}]}}}}}`,
      ].join('\n'),
    );
    const r = await runCli(['verify', '--policy', p, '--from', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`ACCEPTED ${img('dir-img-valid')}`);
    expect(r.stdout).toContain(
      `  named in: ${file}#1: Deployment/web initContainer init; ${file}#2: CronJob/nightly container job`,
    );
    expect(r.stdout).toContain(`REJECTED ${img('dir-img-unsigned')}`);
    expect(r.stderr.trim()).toBe(
      `imgsign: 1 of 2 images rejected by policy ${p}`,
    );
  });

  it('--insecure-policy accepts an unsigned image', async () => {
    const r = await runCli([
      'verify',
      '--insecure-policy',
      img('dir-img-unsigned'),
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ACCEPTED');
  });

  it('no image is a usage error', async () => {
    const r = await runCli(['verify', '--insecure-policy']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no images to verify');
  });

  it('an invalid policy is a usage error', async () => {
    const r = await runCli([
      'verify',
      '--policy',
      '/dev/null',
      img('dir-img-valid'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      'imgsign: invalid policy in /dev/null: the file is empty (line 1, column 1)',
    );
  });
});

describe('imgsign verify on a multi-arch image', () => {
  it('reports which instances carry accepted signatures of their own', async () => {
    const { readFile, mkdir, copyFile } = await import('node:fs/promises');
    const { createHash } = await import('node:crypto');
    const sha = (b: Buffer) =>
      `sha256:${createHash('sha256').update(b).digest('hex')}`;
    const a = await readFile(join(F, 'image.manifest.json'));
    const b = Buffer.concat([a, Buffer.from('\n')]);
    const dir = join(await tempDir(), 'multi');
    await mkdir(dir);
    const list = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json',
        manifests: [
          {
            mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
            size: a.length,
            digest: sha(a),
            platform: { os: 'linux', architecture: 'amd64' },
          },
          {
            mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
            size: b.length,
            digest: sha(b),
            platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
          },
        ],
      }),
    );
    await writeFile(join(dir, 'version'), 'Directory Transport Version: 1.1\n');
    await writeFile(join(dir, 'manifest.json'), list);
    await writeFile(join(dir, `${sha(a).slice(7)}.manifest.json`), a);
    await writeFile(join(dir, `${sha(b).slice(7)}.manifest.json`), b);
    await copyFile(
      join(F, 'dir-img-valid/signature-1'),
      join(dir, `${sha(a).slice(7)}.signature-1`),
    );
    const p = await policyFile();
    const r = await runCli(['verify', '--policy', p, `dir:${dir}`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`REJECTED dir:${dir}`);
    expect(r.stdout).toContain('  instances, on their own signatures:');
    expect(r.stdout).toContain(`    ${sha(a)} (linux/amd64): accepted`);
    expect(r.stdout).toContain(
      `    ${sha(b)} (linux/arm64/v8): not accepted: A signature was required, but no signature exists`,
    );
    const j = await runCli(['verify', '--json', '--policy', p, `dir:${dir}`]);
    const out = JSON.parse(j.stdout) as { images: { instances: unknown[] }[] };
    expect(out.images[0]?.instances).toEqual([
      expect.objectContaining({
        digest: sha(a),
        platform: 'linux/amd64',
        allowed: true,
      }),
      expect.objectContaining({
        digest: sha(b),
        platform: 'linux/arm64/v8',
        allowed: false,
      }),
    ]);
  });
});
