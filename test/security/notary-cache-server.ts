/**
 * Shared by the notary-cache-* security tests: a plain-http fake notary
 * server answering with generated metadata (test/unit/notary/tuf/fake-repo.ts)
 * and a repository opened on it with the file trust cache.
 */
import { createHash } from 'node:crypto';
import {
  openNotaryRepository,
  type NotaryRepository,
} from '../../src/notary/repository.js';
import {
  startFakeNotaryServer,
  type FakeNotaryServer,
} from '../helpers/notary.js';

export interface ServedRepo {
  server: FakeNotaryServer;
  /** What the server answers now (role → bytes); swap to change it. */
  files: Map<string, Buffer>;
  open(trustDir: string): Promise<NotaryRepository>;
  stop(): Promise<void>;
}

export async function serveRepo(
  gun: string,
  initial: Map<string, Buffer>,
): Promise<ServedRepo> {
  const state = { files: initial };
  const prefix = `/v2/${gun}/_trust/tuf/`;
  const server = await startFakeNotaryServer((req, res) => {
    const path = req.url ?? '';
    const name = path.startsWith(prefix) ? path.slice(prefix.length) : '';
    for (const [role, bytes] of state.files) {
      const hex = createHash('sha256').update(bytes).digest('hex');
      if (name === `${role}.json` || name === `${role}.${hex}.json`) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(bytes);
        return;
      }
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"errors":[{"code":"METADATA_NOT_FOUND"}]}');
  });
  return {
    server,
    get files() {
      return state.files;
    },
    set files(f: Map<string, Buffer>) {
      state.files = f;
    },
    open: (trustDir) =>
      openNotaryRepository({
        reference: gun,
        trustDir,
        sys: {},
        serverOverride: server.url,
        insecureAllowHTTP: true,
      }),
    stop: () => server.stop(),
  };
}
