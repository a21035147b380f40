import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRegistriesConfig } from '../../src/registries-d/load.js';
import { parseNormalizedNamed } from '../../src/reference/docker-reference.js';
import { LookasideStore } from '../../src/signature-storage/lookaside.js';
import {
  defaultLookasideConfig,
  lookasideScript,
} from './lookaside-process-setup.js';

const WRITERS = 20;

/**
 * Twenty separate processes (as twenty `copy --sign-by` runs would be) each
 * add one signature to the same image at the same moment: every signature
 * must survive, whole, at signature-1..20.
 */
describe('when twenty processes write signatures for one image concurrently', () => {
  let work: string;
  let script: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'imgsign-writers-'));
    script = await lookasideScript(
      work,
      'writer.mjs',
      `const [conf, digest, id, go] = process.argv.slice(2);
const store = new LookasideStore({ config: await loadRegistriesConfig(conf), sys: {} });
const sig = Buffer.from(\`signature from writer \${id}\\n\`.repeat(2000));
// Start together: wait for the parent's go-ahead on stdin.
process.stdin.once('data', async () => {
  const written = await store.add(parseNormalizedNamed('q.io/team/app:1'), digest, [sig]);
  process.stdout.write(JSON.stringify(written));
});
`,
    );
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('keeps all twenty signatures, each intact', async () => {
    const base = join(work, 'lookaside');
    const conf = await defaultLookasideConfig(
      join(work, 'registries.d'),
      `file://${base}`,
    );
    const digest = `sha256:${'e'.repeat(64)}`;
    const children = Array.from({ length: WRITERS }, (_, i) =>
      spawn(process.execPath, [script, conf, digest, String(i)], {
        stdio: ['pipe', 'pipe', 'inherit'],
      }),
    );
    const done = children.map(
      (child) =>
        new Promise<string[]>((resolve, reject) => {
          let out = '';
          child.stdout.on('data', (d: Buffer) => (out += d.toString()));
          child.on('error', reject);
          child.on('close', (code) =>
            code === 0
              ? resolve(JSON.parse(out) as string[])
              : reject(new Error(`writer exited ${code}`)),
          );
        }),
    );
    // Each child reads stdin only after its store is ready; release all at once.
    for (const child of children) child.stdin.end('go');
    const written = (await Promise.all(done)).flat();
    expect(new Set(written).size).toBe(WRITERS);

    const store = new LookasideStore({
      config: await loadRegistriesConfig(conf),
      sys: {},
    });
    const sigs = await store.read(
      parseNormalizedNamed('q.io/team/app:1'),
      digest,
    );
    expect(sigs).toHaveLength(WRITERS);
    const ids = sigs.map((s) => {
      const text = s.toString();
      const id = /^signature from writer (\d+)\n/.exec(text)?.[1] ?? 'corrupt';
      expect(text).toBe(`signature from writer ${id}\n`.repeat(2000));
      return Number(id);
    });
    expect(ids.sort((a, b) => a - b)).toEqual(
      Array.from({ length: WRITERS }, (_, i) => i),
    );
    const dir = join(base, `team/app@sha256=${'e'.repeat(64)}`);
    expect(
      (await readdir(dir)).filter((n) => !n.startsWith('signature-')),
    ).toEqual([]);
  });
});
