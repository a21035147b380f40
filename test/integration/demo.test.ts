import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, tempDir } from '../helpers/paths.js';

/** The README's first command must work: the demo signs, accepts, and rejects a tampered copy. */
describe('scripts/demo.sh (the README main job)', () => {
  it('signs a new image into dir:, accepts it under the policy and rejects the tampered copy', async () => {
    const work = await tempDir();
    const r = spawnSync('bash', [join(repoRoot, 'scripts/demo.sh'), work], {
      cwd: repoRoot,
      env: { ...process.env, IMGSIGN_DEMO_NO_BUILD: '1', IMGSIGN_DEBUG: '' },
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ACCEPTED dir:.*\/signed$/m);
    expect(r.stdout).toMatch(/^REJECTED dir:.*\/tampered$/m);
    expect(r.stdout).toMatch(/digest mismatch/);
    const signature = readFileSync(join(work, 'signed', 'signature-1'));
    // A binary OpenPGP message (never armored), as skopeo's policy path requires.
    expect(signature[0]).not.toBe('-'.charCodeAt(0));
    expect(existsSync(join(work, 'tampered', 'signature-1'))).toBe(true);
  });
});
