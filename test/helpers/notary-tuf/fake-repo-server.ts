/**
 * Serves a generated Notary repository (tuf/fake-repo.ts) over plain http
 * as notary-server lays it out (`/v2/<gun>/_trust/tuf/<role>[.<sha256>].json`),
 * for tests of the copy-side trusted-tag resolver (use the resolver's
 * `insecureAllowHTTP`). Unknown files are 404; every request is recorded.
 */
import { createHash } from 'node:crypto';
import { startFakeNotaryServer, type FakeNotaryServer } from '../notary.js';

export async function serveFakeRepo(
  gun: string,
  files: Map<string, Buffer>,
): Promise<FakeNotaryServer> {
  const prefix = `/v2/${gun}/_trust/tuf/`;
  return startFakeNotaryServer((req, res) => {
    const path = req.url ?? '';
    const name = path.startsWith(prefix)
      ? path.slice(prefix.length).replace(/\.json$/, '')
      : undefined;
    const m =
      name === undefined ? null : /^(.+?)(?:\.([0-9a-f]{64}))?$/.exec(name);
    const bytes = m?.[1] !== undefined ? files.get(m[1]) : undefined;
    const sum = bytes && createHash('sha256').update(bytes).digest('hex');
    if (!bytes || (m?.[2] !== undefined && m[2] !== sum)) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"errors":[{"code":"METADATA_NOT_FOUND"}]}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(bytes);
  });
}
