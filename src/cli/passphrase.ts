import { createReadStream } from 'node:fs';
import { ImgsignError } from '../errors.js';
import { readBoundedFile } from '../keys/files.js';

/**
 * Where a signing passphrase comes from: a file, a file descriptor, an
 * environment variable named by a flag, or a prompt when a TTY is
 * attached. Never from argv. As with skopeo, one trailing newline is
 * dropped and a passphrase that still contains a line break is rejected.
 */
export interface PassphraseSources {
  file?: string;
  fd?: number;
  env?: string;
}

const MAX_PASSPHRASE_BYTES = 64 * 1024;

function clean(raw: string, from: string): string {
  const value = raw.replace(/\r?\n$/, '');
  if (/[\r\n]/.test(value)) {
    throw new ImgsignError(
      'PASSPHRASE',
      `the passphrase from ${from} contains a line break; put only the passphrase on one line`,
    );
  }
  return value;
}

function readFd(fd: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const stream = createReadStream('', { fd, autoClose: true });
    stream.on('data', (d: string | Buffer) => {
      const b = Buffer.isBuffer(d) ? d : Buffer.from(d);
      total += b.length;
      if (total > MAX_PASSPHRASE_BYTES) {
        stream.destroy();
        reject(
          new ImgsignError('PASSPHRASE', `passphrase on fd ${fd} is too long`),
        );
      } else chunks.push(b);
    });
    stream.on('error', (err) =>
      reject(
        new ImgsignError(
          'PASSPHRASE',
          `cannot read the passphrase from fd ${fd}: ${err.message}`,
          { cause: err },
        ),
      ),
    );
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/** The passphrase from the first source given; undefined when none was given. */
export async function readPassphrase(
  sources: PassphraseSources,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  const given = [sources.file, sources.fd, sources.env].filter(
    (s) => s !== undefined,
  );
  if (given.length > 1) {
    throw new ImgsignError(
      'USAGE',
      'give the passphrase only once: --passphrase-file, --passphrase-fd or --passphrase-env',
    );
  }
  if (sources.file !== undefined) {
    const raw = await readBoundedFile(
      sources.file,
      MAX_PASSPHRASE_BYTES,
      'passphrase file',
    );
    return clean(raw.toString('utf8'), `file ${sources.file}`);
  }
  if (sources.fd !== undefined) {
    if (!Number.isInteger(sources.fd) || sources.fd < 0) {
      throw new ImgsignError('USAGE', `invalid --passphrase-fd ${sources.fd}`);
    }
    return clean(await readFd(sources.fd), `fd ${sources.fd}`);
  }
  if (sources.env !== undefined) {
    const value = env[sources.env];
    if (value === undefined) {
      throw new ImgsignError(
        'PASSPHRASE',
        `environment variable ${sources.env} (named by --passphrase-env) is not set`,
      );
    }
    return clean(value, `environment variable ${sources.env}`);
  }
  return undefined;
}

/** Whether a human can be asked: both stdin and stderr are terminals. */
export function canPrompt(): boolean {
  return Boolean(process.stdin.isTTY && process.stderr.isTTY);
}

/** Ask on the terminal without echo; only call when canPrompt(). */
export function promptPassphrase(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(prompt);
    stdin.setRawMode(true);
    stdin.resume();
    let value = '';
    const done = (err?: Error): void => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (d: Buffer): void => {
      for (const ch of d.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') {
          return done(
            new ImgsignError('PASSPHRASE', 'passphrase prompt interrupted'),
          );
        }
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}
