import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { SecureContext } from 'node:tls';
import { Agent } from 'undici';
import { ImgsignError, describeError } from '../../errors.js';

/**
 * TLS settings of a registry connection, as containers-certs.d(5): in
 * `certDir`, every `*.crt` is an extra CA, `*.cert` + `*.key` a client
 * certificate pair. `tlsVerify: false` skips server verification.
 */
export interface RegistryTLSOptions {
  tlsVerify?: boolean;
  certDir?: string;
}

/** True when the host (without port) is the local machine: plain http is allowed there. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.replace(/:[0-9]+$/, '').replace(/^\[|\]$/g, '');
  return (
    host === 'localhost' ||
    host === '::1' ||
    /^127\.[0-9]+\.[0-9]+\.[0-9]+$/.test(host)
  );
}

/** Whether an https connection needs its own Agent (otherwise sys.dispatcher is used). */
export function needsOwnTLSAgent(tls: RegistryTLSOptions): boolean {
  return tls.tlsVerify === false || tls.certDir !== undefined;
}

/** An undici Agent honouring `certDir` and `tlsVerify`. */
export async function createTLSAgent(tls: RegistryTLSOptions): Promise<Agent> {
  const ca: string[] = [];
  let cert: Buffer | undefined;
  let key: Buffer | undefined;
  if (tls.certDir !== undefined) {
    let names: string[];
    try {
      names = (await readdir(tls.certDir)).sort();
    } catch (err) {
      throw new ImgsignError(
        'USAGE',
        `reading certificate directory ${tls.certDir}: ${describeError(err)}`,
        { cause: err },
      );
    }
    for (const name of names) {
      const path = join(tls.certDir, name);
      if (name.endsWith('.crt')) {
        ca.push((await readFile(path)).toString('utf8'));
      } else if (name.endsWith('.cert')) {
        const keyPath = path.replace(/\.cert$/, '.key');
        if (!names.includes(name.replace(/\.cert$/, '.key'))) {
          throw new ImgsignError(
            'USAGE',
            `client certificate ${path} has no matching key ${keyPath}`,
          );
        }
        cert = await readFile(path);
        key = await readFile(keyPath);
      }
    }
  }
  const clientPair =
    cert !== undefined && key !== undefined ? { cert, key } : undefined;
  return new Agent({
    connect: {
      rejectUnauthorized: tls.tlsVerify !== false,
      ...(ca.length > 0 || clientPair
        ? { secureContext: secureContextWith(ca, clientPair) }
        : {}),
    },
  });
}

/**
 * One TLS context for every connection of an agent, trusting node's bundled
 * roots plus `extraCAs` (PEM), with an optional client certificate. Giving
 * `ca: [...rootCertificates, ...extra]` per connection instead makes node
 * parse all ~140 roots again for each one (27–48 ms here, several times per
 * command); a default context starts from node's root store, parsed once
 * per process, and adding the extra CAs to it is what node does for each
 * `ca` entry.
 */
export function secureContextWith(
  extraCAs: readonly string[],
  clientPair?: { cert: Buffer; key: Buffer },
): SecureContext {
  const tls = createRequire(import.meta.url)(
    'node:tls',
  ) as typeof import('node:tls');
  const context = tls.createSecureContext(clientPair ?? {});
  const native = (context as { context?: { addCACert?: unknown } }).context;
  if (typeof native?.addCACert !== 'function') {
    // not node's usual SecureContext: the documented, slower way
    return tls.createSecureContext({
      ...clientPair,
      ...(extraCAs.length > 0
        ? { ca: [...tls.rootCertificates, ...extraCAs] }
        : {}),
    });
  }
  for (const pem of extraCAs) {
    (native.addCACert as (pem: string) => void).call(native, pem);
  }
  return context;
}
