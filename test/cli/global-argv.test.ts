import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { makeDirImage } from '../fixtures/make-images.js';
import { repoRoot, tempDir } from '../helpers/paths.js';

/**
 * skopeo's global options before the command, through the real bin/run.js
 * with argv rewritten first, exactly as the one line proposed for
 * bin/run.js does:
 * `process.argv.splice(2, Infinity, ...normalizeGlobalArgv(process.argv.slice(2)))`.
 */
function runWithGlobalArgv(
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const runJs = join(repoRoot, 'bin/run.js');
  const normaliser = pathToFileURL(
    join(repoRoot, 'dist/cli/global-argv.js'),
  ).href;
  const script = `const { normalizeGlobalArgv } = await import(${JSON.stringify(normaliser)});
process.argv = [process.argv[0], ${JSON.stringify(runJs)}, ...process.argv.slice(1)];
process.argv.splice(2, Infinity, ...normalizeGlobalArgv(process.argv.slice(2)));
await import(${JSON.stringify(pathToFileURL(runJs).href)});`;
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--input-type=module', '-e', script, '--', ...args],
      { cwd: repoRoot, env: { ...process.env, IMGSIGN_DEBUG: '' } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('skopeo global options placed before the command', () => {
  it('--policy before copy is the policy copy enforces', async () => {
    const t = await tempDir();
    await makeDirImage(join(t, 'src'));
    const policy = join(t, 'reject.json');
    await writeFile(policy, JSON.stringify({ default: [{ type: 'reject' }] }));
    const r = await runWithGlobalArgv([
      '--policy',
      policy,
      'copy',
      `dir:${t}/src`,
      `dir:${t}/dst`,
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`rejected by ${policy}`);
    expect(existsSync(join(t, 'dst'))).toBe(false);
  });

  it('--registries.d and --insecure-policy before copy (the IBM Cloud guide form) are honoured', async () => {
    const t = await tempDir();
    await makeDirImage(join(t, 'src'));
    const r = await runWithGlobalArgv([
      '--registries.d',
      t,
      '--insecure-policy',
      'copy',
      '--json',
      `dir:${t}/src`,
      `dir:${t}/dst`,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(existsSync(join(t, 'dst', 'manifest.json'))).toBe(true);
  });
});
