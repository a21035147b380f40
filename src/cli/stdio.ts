import { writeSync } from 'node:fs';
import { describeError, ImgsignError } from '../errors.js';
import { EXIT } from './errors.js';

/**
 * Command output without node's stream objects. The first read of
 * process.stdout or process.stderr makes a stream, which loads node's
 * stream and net modules: ~5 ms of every command on a pipe (issue 2). imgsign
 * prints a few lines, so it writes them to the file descriptor directly,
 * synchronously, as node itself does for files and pipes on Linux. The
 * streams are still used once something has made them (a progress bar, a
 * prompt, oclif's help), and whenever a write would block, so that the
 * order of the output never changes.
 */

type Stdio = 'stdout' | 'stderr';

/** Streams whose creation watchStdio() notices, and those made since. */
const watched: Record<Stdio, boolean> = { stdout: false, stderr: false };
const made: Record<Stdio, boolean> = { stdout: false, stderr: false };
const onMade: Record<Stdio, ((stream: NodeJS.WriteStream) => void)[]> = {
  stdout: [],
  stderr: [],
};

/**
 * Notices when process.stdout and process.stderr are made, by wrapping
 * node's lazy getters once. Without it (a test importing a command),
 * every write goes through the streams.
 */
export function watchStdio(): void {
  for (const name of ['stdout', 'stderr'] as const) {
    const original = Object.getOwnPropertyDescriptor(process, name);
    if (!original?.get || !original.configurable) continue;
    Object.defineProperty(process, name, {
      configurable: true,
      enumerable: original.enumerable,
      get() {
        Object.defineProperty(process, name, original);
        const stream = process[name];
        made[name] = true;
        for (const callback of onMade[name].splice(0)) callback(stream);
        return stream;
      },
    });
    watched[name] = true;
  }
}

/** Whether `name`'s stream exists (always true when watchStdio() was not called). */
export function stdioStreamMade(name: Stdio): boolean {
  return !watched[name] || made[name];
}

/** Runs `callback` with process.stdout when it is made (now, if it exists). */
export function whenStdoutMade(
  callback: (stream: NodeJS.WriteStream) => void,
): void {
  if (stdioStreamMade('stdout')) callback(process.stdout);
  else onMade.stdout.push(callback);
}

/** Writes `data` to standard output (see the module comment). */
export function writeStdout(data: string | Uint8Array): void {
  write('stdout', 1, data);
}

/** Writes `data` to standard error (see the module comment). */
export function writeStderr(data: string | Uint8Array): void {
  write('stderr', 2, data);
}

function write(name: Stdio, fd: number, data: string | Uint8Array): void {
  if (stdioStreamMade(name)) {
    process[name].write(data);
    return;
  }
  let rest = typeof data === 'string' ? Buffer.from(data) : data;
  try {
    while (rest.length > 0) rest = rest.subarray(writeSync(fd, rest));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // The reader went away (`imgsign … | head`): as oclif does, say nothing.
    if (code === 'EPIPE') return;
    // A non-blocking descriptor that is full: the stream queues the rest,
    // and every later write goes through it, in order.
    if (code === 'EAGAIN') process[name].write(rest);
    else throw cannotWrite(name, error);
  }
}

function cannotWrite(name: Stdio, error: unknown): ImgsignError {
  return new ImgsignError(
    'INCONCLUSIVE',
    `cannot write to standard ${name === 'stdout' ? 'output' : 'error'}: ${describeError(error)}`,
    { cause: error },
  );
}

/**
 * For process.stdout's 'error' event (a write that failed after the stream
 * was made): a reader that went away (`imgsign … | head`) is not an error,
 * as in oclif; anything else (a full disk) is one line and exit 3, where
 * oclif would throw from the event and print a stack.
 */
export function onStdoutError(error: NodeJS.ErrnoException): void {
  if (error.code === 'EPIPE') return;
  writeStderr(`imgsign: ${cannotWrite('stdout', error).message}\n`);
  process.exitCode = EXIT.inconclusive;
}
