import { readFile } from 'node:fs/promises';
import { Agent, getGlobalDispatcher, type Dispatcher } from 'undici';
import { ImgsignError, describeError } from '../errors.js';
import { createTLSAgent, secureContextWith } from '../transports/docker/tls.js';

/**
 * TLS and timeout settings of the notary server connection. The server's
 * certificate is checked against the system roots plus `caFile` (the
 * `notary --tlscacert` file) or a docker-style `certDir`
 * (`$DOCKER_CONFIG/tls/<host:port>/`: `*.crt` CAs, `*.cert`/`*.key` client
 * pair, read by the registry client's tls.ts).
 */
export interface NotaryTLSOptions {
  caFile?: string;
  certDir?: string;
  /** false: do not verify the server certificate (tests, `--tls-verify=false`). */
  tlsVerify?: boolean;
  /** Limit, in milliseconds, on waiting for response headers and between body chunks. */
  timeoutMs?: number;
}

export interface NotaryDispatcher {
  /** What requests go through (undefined: undici's global dispatcher). */
  dispatcher: Dispatcher | undefined;
  /** The agent created here, to be closed with the store (never `base`). */
  own: Agent | undefined;
}

/** The dispatcher for `tls`, built on `base` (the SystemContext's) when no own agent is needed. */
export async function notaryDispatcher(
  base: Dispatcher | undefined,
  tls: NotaryTLSOptions,
): Promise<NotaryDispatcher> {
  if (tls.caFile !== undefined && tls.certDir !== undefined) {
    throw new ImgsignError(
      'USAGE',
      `give either a notary CA file (${tls.caFile}) or a certificate directory (${tls.certDir}), not both`,
    );
  }
  let own: Agent | undefined;
  if (tls.caFile !== undefined) {
    let pem: string;
    try {
      pem = await readFile(tls.caFile, 'utf8');
    } catch (err) {
      throw new ImgsignError(
        'USAGE',
        `reading notary CA file ${tls.caFile}: ${describeError(err)}`,
        { cause: err },
      );
    }
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
      throw new ImgsignError(
        'USAGE',
        `notary CA file ${tls.caFile} holds no PEM certificate`,
      );
    }
    own = new Agent({
      connect: {
        secureContext: secureContextWith([pem]),
        rejectUnauthorized: tls.tlsVerify !== false,
      },
    });
  } else if (tls.certDir !== undefined || tls.tlsVerify === false) {
    own = await createTLSAgent({
      ...(tls.certDir !== undefined ? { certDir: tls.certDir } : {}),
      ...(tls.tlsVerify !== undefined ? { tlsVerify: tls.tlsVerify } : {}),
    });
  }
  const chosen: Dispatcher | undefined = own ?? base;
  const timeout = tls.timeoutMs;
  if (timeout === undefined) return { dispatcher: chosen, own };
  if (!Number.isSafeInteger(timeout) || timeout <= 0) {
    await own?.close();
    throw new ImgsignError(
      'USAGE',
      `notary server timeout ${timeout} is not a positive number of milliseconds`,
    );
  }
  const withTimeouts = (chosen ?? getGlobalDispatcher()).compose(
    (dispatch) => (opts, handler) =>
      dispatch(
        { ...opts, headersTimeout: timeout, bodyTimeout: timeout },
        handler,
      ),
  );
  return { dispatcher: withTimeouts, own };
}
