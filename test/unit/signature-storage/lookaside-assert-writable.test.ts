import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseNormalizedNamed } from '../../../src/reference/docker-reference.js';
import { loadRegistriesConfig } from '../../../src/registries-d/load.js';
import { LookasideStore } from '../../../src/signature-storage/lookaside.js';
import { tempDir } from '../../helpers/paths.js';

async function storeFor(yaml: string): Promise<LookasideStore> {
  const conf = await tempDir();
  await writeFile(join(conf, 'a.yaml'), yaml);
  return new LookasideStore({
    config: await loadRegistriesConfig(conf),
    sys: {},
  });
}

const ref = parseNormalizedNamed('r.example.com/team/app:1');

describe('LookasideStore.assertWritable (checked before a signing copy pushes)', () => {
  it('accepts a file lookaside whose directories can be created, creating nothing', async () => {
    const base = join(await tempDir(), 'not/yet');
    const store = await storeFor(
      `default-docker:\n  lookaside: file://${base}\n`,
    );
    await expect(store.assertWritable(ref)).resolves.toBeUndefined();
    expect(existsSync(base)).toBe(false);
  });

  it('refuses an http lookaside without a file staging, as add() would', async () => {
    const store = await storeFor(
      'default-docker:\n  lookaside: https://sigs.example.com\n',
    );
    await expect(store.assertWritable(ref)).rejects.toMatchObject({
      code: 'UNSUPPORTED',
      message: expect.stringContaining('Configure a lookaside-staging'),
    });
  });

  it('refuses when a file stands where a directory must be created, naming the configuration', async () => {
    const root = await tempDir();
    await writeFile(join(root, 'blocker'), 'x');
    const store = await storeFor(
      `default-docker:\n  lookaside: file://${root}/blocker/sigs\n`,
    );
    await expect(store.assertWritable(ref)).rejects.toMatchObject({
      message: expect.stringMatching(
        /^cannot write signatures to .*blocker.*"default-docker".*--registries\.d DIR/,
      ),
    });
  });
});
