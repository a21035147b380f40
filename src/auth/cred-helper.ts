import { spawn } from 'node:child_process';
import { ImgsignError } from '../errors.js';
import type { Credentials } from './types.js';

/**
 * Run `docker-credential-<helper> get` with the server URL on stdin, as the
 * docker credential-helper protocol defines. Returns undefined when the helper
 * has no credentials for the server.
 */
export function credentialHelperGet(
  helper: string,
  serverURL: string,
): Promise<Credentials | undefined> {
  if (!/^[A-Za-z0-9._-]+$/.test(helper)) {
    return Promise.reject(
      new ImgsignError(
        'USAGE',
        `invalid credential helper name "${helper}" in auth file`,
      ),
    );
  }
  const bin = `docker-credential-${helper}`;
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['get'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let outLen = 0;
    child.stdout.on('data', (d: Buffer) => {
      outLen += d.length;
      if (outLen <= 1024 * 1024) out.push(d);
    });
    child.stderr.resume();
    child.on('error', (err) =>
      reject(
        new ImgsignError('EXTERNAL_TOOL', `running ${bin}: ${err.message}`, {
          cause: err,
        }),
      ),
    );
    child.on('close', (code) => {
      const text = Buffer.concat(out).toString('utf8').trim();
      if (code !== 0) {
        if (/credentials not found/i.test(text)) return resolve(undefined);
        return reject(
          new ImgsignError(
            'EXTERNAL_TOOL',
            `${bin} get failed for ${serverURL} (exit ${code}): ${text.split('\n')[0] ?? ''}`,
          ),
        );
      }
      try {
        const parsed = JSON.parse(text) as {
          Username?: unknown;
          Secret?: unknown;
        };
        if (
          typeof parsed.Username !== 'string' ||
          typeof parsed.Secret !== 'string'
        ) {
          throw new Error('missing Username or Secret');
        }
        resolve({ username: parsed.Username, password: parsed.Secret });
      } catch (err) {
        reject(
          new ImgsignError(
            'EXTERNAL_TOOL',
            `${bin} get for ${serverURL} printed invalid JSON: ${(err as Error).message}`,
          ),
        );
      }
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(serverURL);
  });
}
