import { spawn } from 'node:child_process';
import { ImgsignError } from '../../errors.js';
import { MAX_SIGNATURE_BYTES } from '../blob.js';
import type { SigningMechanism } from '../mechanism.js';

/**
 * Signing through the `gpg` binary, for keys that live only in GnuPG
 * (skopeo's `--sign-by` behaviour). The passphrase goes through a pipe on
 * fd 3 with loopback pinentry; without one, gpg may only prompt when
 * `interactive` (a TTY), otherwise pinentry is disabled so it never hangs.
 */
export interface GPGSignerOptions {
  /** Key fingerprint or ID as gpg understands it. */
  keyId: string;
  /** GNUPGHOME; undefined = gpg's default. */
  gnupgHome?: string;
  passphrase?: string;
  /** Allow gpg to ask through its own pinentry (only on a TTY). */
  interactive?: boolean;
  gpgBinary?: string;
}

export interface GPGRunResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** Run gpg in batch mode with `input` on stdin and an optional fd-3 secret. */
export function runGPG(
  args: string[],
  options: {
    gnupgHome?: string;
    input?: Buffer;
    fd3?: string;
    gpgBinary?: string;
    maxOutput?: number;
  } = {},
): Promise<GPGRunResult> {
  const env = { ...process.env };
  if (options.gnupgHome !== undefined) env['GNUPGHOME'] = options.gnupgHome;
  const max = options.maxOutput ?? 64 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    const child = spawn(
      options.gpgBinary ?? 'gpg',
      ['--batch', '--no-tty', ...args],
      {
        env,
        stdio:
          options.fd3 !== undefined
            ? ['pipe', 'pipe', 'pipe', 'pipe']
            : ['pipe', 'pipe', 'pipe'],
      },
    );
    const out: Buffer[] = [];
    let outLen = 0;
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      outLen += d.length;
      if (outLen > max) child.kill();
      else out.push(d);
    });
    child.stderr.on('data', (d: Buffer) => {
      if (err.length < 65536) err += d.toString('utf8');
    });
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(
        new ImgsignError(
          'EXTERNAL_TOOL',
          e.code === 'ENOENT'
            ? 'gpg is not installed (needed for keys kept in GnuPG)'
            : `running gpg: ${e.message}`,
          { cause: e },
        ),
      ),
    );
    child.on('close', (code) =>
      resolve({
        code: outLen > max ? -1 : (code ?? -1),
        stdout: Buffer.concat(out),
        stderr: err,
      }),
    );
    if (options.fd3 !== undefined) {
      const fd3 = child.stdio[3] as NodeJS.WritableStream;
      fd3.on('error', () => undefined);
      fd3.end(`${options.fd3}\n`);
    }
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? Buffer.alloc(0));
  });
}

/** The most telling line of gpg's stderr. */
export function gpgReason(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.replace(/^gpg: /, '').trim())
    .filter((l) => l !== '' && !l.startsWith('WARNING'));
  return lines.at(-1) ?? 'gpg failed without a message';
}

export function newGPGSigner(options: GPGSignerOptions): SigningMechanism {
  return {
    async sign(payload: Buffer): Promise<Buffer> {
      const args = ['--local-user', options.keyId, '--digest-algo', 'SHA256'];
      if (options.passphrase !== undefined) {
        args.push('--pinentry-mode', 'loopback', '--passphrase-fd', '3');
      } else if (!options.interactive) {
        args.push('--pinentry-mode', 'error');
      }
      args.push('--sign');
      const result = await runGPG(args, {
        ...(options.gnupgHome !== undefined
          ? { gnupgHome: options.gnupgHome }
          : {}),
        ...(options.passphrase !== undefined
          ? { fd3: options.passphrase }
          : {}),
        ...(options.gpgBinary !== undefined
          ? { gpgBinary: options.gpgBinary }
          : {}),
        input: payload,
        maxOutput: MAX_SIGNATURE_BYTES,
      });
      if (result.code !== 0 || result.stdout.length === 0) {
        const reason = gpgReason(result.stderr);
        const badPass = /bad passphrase|no passphrase|pinentry/i.test(
          result.stderr,
        );
        throw new ImgsignError(
          badPass ? 'PASSPHRASE' : 'EXTERNAL_TOOL',
          `gpg could not sign with key ${options.keyId}: ${reason}${
            badPass && options.passphrase === undefined
              ? ' (pass the passphrase with --passphrase-file)'
              : ''
          }`,
        );
      }
      return result.stdout;
    },
  };
}
