import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  defaultLookasideConfig,
  lookasideScript,
} from './lookaside-process-setup.js';

const NOBODY = 65534;
const asRoot = process.geteuid?.() === 0;

/**
 * An unprivileged user whose registries.d sends signatures to a directory
 * only root may write (the `mkdir /var/lib/atomic: permission denied` case):
 * the error names the file and scope and points to --registries.d, and
 * another --registries.d directory works. As root the writer runs as
 * nobody; as any other user it runs as that user.
 */
describe('when an unprivileged user cannot write the configured lookaside', () => {
  let work: string;
  let script: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'imgsign-unpriv-'));
    await chmod(work, 0o755);
    script = await lookasideScript(
      work,
      'writer.mjs',
      `const [conf] = process.argv.slice(2);
const store = new LookasideStore({ config: await loadRegistriesConfig(conf, { isRoot: false, homeDir: '/nonexistent' }), sys: {} });
try {
  const written = await store.add(parseNormalizedNamed('q.io/team/app:1'), 'sha256:${'a'.repeat(64)}', [Buffer.from('sig')]);
  process.stdout.write(JSON.stringify({ written }));
} catch (err) {
  process.stdout.write(JSON.stringify({ error: err.message, code: err.code }));
}
`,
    );
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  function runWriter(
    conf: string,
  ): Promise<{ written?: string[]; error?: string; code?: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [script, conf], {
        stdio: ['ignore', 'pipe', 'inherit'],
        ...(asRoot ? { uid: NOBODY, gid: NOBODY } : {}),
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('error', reject);
      child.on('close', () =>
        resolve(JSON.parse(out) as { written?: string[]; error?: string }),
      );
    });
  }

  it('names the registries.d file and scope and suggests --registries.d; another directory works', async () => {
    // Root-owned and 0755 (as root), or / (otherwise): not writable by the writer.
    const protectedDir = asRoot ? join(work, 'root-only') : '/';
    if (asRoot) await mkdir(protectedDir, { mode: 0o755 });
    const target = join(protectedDir, 'imgsign-no-access/sigstore');
    const systemConf = await defaultLookasideConfig(
      join(work, 'system-registries.d'),
      `file://${target}`,
      'default.yaml',
    );
    const denied = await runWriter(systemConf);
    expect(denied.code).toBe('INCONCLUSIVE');
    expect(denied.error).toMatch(/^cannot write signatures to .*: EACCES/);
    expect(denied.error).toContain(
      `the location comes from lookaside file://${target} of "default-docker" in ${join(systemConf, 'default.yaml')}. Use --registries.d DIR`,
    );

    const mine = join(work, 'mine');
    await mkdir(mine, { mode: 0o777 });
    await chmod(mine, 0o777);
    const userConf = await defaultLookasideConfig(
      join(work, 'user-registries.d'),
      `file://${mine}/sigs`,
    );
    const ok = await runWriter(userConf);
    const path = join(
      mine,
      `sigs/team/app@sha256=${'a'.repeat(64)}/signature-1`,
    );
    expect(ok).toEqual({ written: [`file://${path}`] });
    expect(await readFile(path, 'utf8')).toBe('sig');
  });
});
