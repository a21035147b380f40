import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';

export const repoRoot = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../..',
);

/** ../shared/fixtures, read in place (never copied into the project). */
export const sharedFixtures = resolve(repoRoot, '../shared/fixtures');
export const cImageFixtures = join(sharedFixtures, 'containers-image');
export const signatureFixtures = join(cImageFixtures, 'signature/fixtures');
export const manifestFixtures = join(
  cImageFixtures,
  'internal/manifest/testdata',
);
/** theupdateframework/notary fixtures (compatibility/notary0.1, notary0.3, certificates). */
export const notaryFixtures = join(sharedFixtures, 'notary');

if (!existsSync(sharedFixtures)) {
  throw new Error(
    `shared fixtures not found at ${sharedFixtures}: check out ../shared beside the repo`,
  );
}

const created: string[] = [];

/** A fresh temporary directory, removed after the current test. */
export async function tempDir(prefix = 'imgsign-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

afterEach(async () => {
  await Promise.all(
    created.splice(0).map((d) => rm(d, { recursive: true, force: true })),
  );
});
