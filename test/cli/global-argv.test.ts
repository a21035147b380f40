import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDirImage } from '../fixtures/make-images.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/paths.js';

/** skopeo's global options before the command, through the real bin/run.js. */
const runWithGlobalArgv = (args: string[]) => runCli(args);

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
