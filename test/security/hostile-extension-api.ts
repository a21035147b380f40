import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type DockerReference,
  parseNormalizedNamed,
} from '../../src/reference/docker-reference.js';
import { ExtensionAPIStore } from '../../src/signature-storage/extension-api.js';
import { getRegistryClient } from '../../src/transports/docker/registry-client.js';
import { startScriptedRegistry } from '../servers/extension-api.js';

/*
 * Shared set-up for the extension-api-*.test.ts attacks: an
 * ExtensionAPIStore talking to a scripted (hostile) registry on a loopback
 * port. Each attack keeps its own test file.
 */

export interface ScriptedExtensionAPI {
  store: ExtensionAPIStore;
  /** `<host>/a:1` on the scripted registry. */
  ref: DockerReference;
  /** `127.0.0.1:PORT`. */
  host: string;
}

/**
 * Runs `use` with a store reading from and writing to a registry that
 * answers every request but `GET /v2/` with `answer`; the server is always
 * closed. `retryTimes` is passed to the registry client.
 */
export async function withScriptedExtensionAPI(
  answer: (
    req: IncomingMessage,
    body: Buffer,
    res: ServerResponse,
  ) => void | Promise<void>,
  use: (api: ScriptedExtensionAPI) => Promise<void>,
  options: { retryTimes?: number } = {},
): Promise<void> {
  const server = await startScriptedRegistry(answer);
  try {
    const host = server.url.replace('http://', '');
    const store = new ExtensionAPIStore(
      getRegistryClient({ registry: host, sys: {}, ...options }),
    );
    await use({ store, ref: parseNormalizedNamed(`${host}/a:1`), host });
  } finally {
    await server.close();
  }
}

/** A 200 JSON answer whose signature list is `signatures`. */
export function answerSignatures(
  res: ServerResponse,
  signatures: unknown[],
): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ signatures }));
}
