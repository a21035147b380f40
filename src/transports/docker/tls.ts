import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
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
  return new Agent({
    connect: {
      rejectUnauthorized: tls.tlsVerify !== false,
      ...(ca.length > 0 ? { ca: [...systemRootCertificates(), ...ca] } : {}),
      ...(cert !== undefined && key !== undefined ? { cert, key } : {}),
    },
  });
}

/**
 * node's bundled CA list, read only when certs.d adds CAs to it: loading
 * node:tls up front would cost every command that links this transport,
 * even copies between local directories (~4 ms).
 */
function systemRootCertificates(): readonly string[] {
  const tls = createRequire(import.meta.url)(
    'node:tls',
  ) as typeof import('node:tls');
  return tls.rootCertificates;
}
