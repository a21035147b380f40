import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadRegistriesConfig } from '../../src/registries-d/load.js';
import { parseNormalizedNamed } from '../../src/reference/docker-reference.js';
import { LookasideStore } from '../../src/signature-storage/lookaside.js';
import { tempDir } from '../helpers/paths.js';
import {
  type RunningHttpServer,
  startHttpServer,
} from '../servers/static-http.js';

/*
 * Shared set-up for the lookaside-*.test.ts attacks: a LookasideStore
 * configured by one registries.d file, optionally reading from a hostile
 * loopback server. Each attack keeps its own test file.
 */

/** The image every attack reads or writes signatures for. */
export const REF = parseNormalizedNamed('q.io/a:1');

export interface LookasideUnderTest {
  store: LookasideStore;
  /** The registries.d file naming the lookaside (errors cite it). */
  configFile: string;
}

/**
 * A store whose only registries.d file, a.yaml, sets `lookaside: url` for
 * default-docker, or for the docker scope `scope` when one is given.
 */
export async function lookasideStore(
  url: string,
  scope?: string,
): Promise<LookasideUnderTest> {
  const conf = await tempDir();
  const configFile = join(conf, 'a.yaml');
  const value = JSON.stringify(url);
  await writeFile(
    configFile,
    scope === undefined
      ? `default-docker:\n  lookaside: ${value}\n`
      : `docker:\n  ${scope}:\n    lookaside: ${value}\n`,
  );
  const config = await loadRegistriesConfig(conf);
  return { store: new LookasideStore({ config, sys: {} }), configFile };
}

/**
 * Runs `use` with a store whose default-docker lookaside is a loopback
 * server answering every request with `handler`; the server is always closed.
 */
export async function withLookasideServer(
  handler: Parameters<typeof startHttpServer>[0],
  use: (store: LookasideStore, server: RunningHttpServer) => Promise<void>,
): Promise<void> {
  const server = await startHttpServer(handler);
  try {
    const { store } = await lookasideStore(server.url);
    await use(store, server);
  } finally {
    await server.close();
  }
}
