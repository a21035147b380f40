import type { Readable, Writable } from 'node:stream';
import * as tar from 'tar-stream';

/**
 * Sequential tar output (tar-stream pack) into any Writable: a temporary
 * file for docker-archive, the request body of `POST /images/load` for
 * docker-daemon. Entries get fixed metadata (mtime 0, root, read-only) so
 * the same image always produces the same bytes.
 *
 * Only one entry can be written at a time; lock() serialises callers, and
 * isIdle() lets a caller decide to spool a blob instead of waiting.
 */
export class TarStreamWriter {
  private readonly pack = tar.pack();
  private readonly done: Promise<void>;
  private tail: Promise<void> = Promise.resolve();
  private users = 0;
  private finished = false;

  constructor(out: Writable) {
    // Wired by hand: the pack is a streamx stream, and a failure on either
    // side must tear down the other so no writer waits forever for room.
    this.done = new Promise<void>((resolve, reject) => {
      const fail = (err: Error): void => {
        this.pack.destroy(err);
        out.destroy(err);
        reject(err);
      };
      out.on('error', fail);
      this.pack.on('error', fail);
      out.on('close', () =>
        out.writableFinished
          ? resolve()
          : fail(
              new Error('tar output closed before the archive was complete'),
            ),
      );
    });
    this.done.catch(() => undefined); // reported by finish()
    this.pack.pipe(out);
  }

  isIdle(): boolean {
    return this.users === 0;
  }

  /** Run `fn` with exclusive use of the tar stream. */
  async lock<T>(fn: () => Promise<T>): Promise<T> {
    this.users++;
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise((resolve) => (release = resolve));
    try {
      await previous;
      return await fn();
    } finally {
      this.users--;
      release();
    }
  }

  /** Add a regular file of exactly `size` bytes (call inside lock()). */
  async writeStream(
    name: string,
    size: number,
    stream: Readable,
  ): Promise<void> {
    let settle!: (err?: Error | null) => void;
    const entryDone = new Promise<void>((resolve, reject) => {
      settle = (err) => (err ? reject(err) : resolve());
    });
    entryDone.catch(() => undefined);
    const sink = this.pack.entry(header(name, 'file', size), settle);
    sink.on('error', () => undefined); // reported through `settle`
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        if (!sink.write(chunk)) {
          // Wait for room, or for the entry to die (the output failed).
          await new Promise<void>((resolve) => {
            const done = (): void => {
              sink.off('drain', done);
              sink.off('close', done);
              resolve();
            };
            sink.on('drain', done);
            sink.on('close', done);
          });
        }
        if (sink.destroyed) break;
      }
    } catch (err) {
      sink.destroy(err as Error);
      this.pack.destroy(err as Error);
      throw err;
    }
    (sink as unknown as { end(): void }).end();
    await entryDone;
  }

  /** Add a small regular file (call inside lock()). */
  writeBytes(name: string, bytes: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pack
        .entry(header(name, 'file', bytes.length), bytes, (err) =>
          err ? reject(err) : resolve(),
        )
        .on('error', () => undefined); // reported through the callback
    });
  }

  /** Add a symlink (call inside lock()). */
  writeSymlink(name: string, target: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pack
        .entry({ ...header(name, 'symlink', 0), linkname: target }, (err) =>
          err ? reject(err) : resolve(),
        )
        .on('error', () => undefined); // reported through the callback
    });
  }

  /** Write the end-of-archive marker and wait until the output has everything. */
  async finish(): Promise<void> {
    if (!this.finished) {
      this.finished = true;
      this.pack.finalize();
    }
    await this.done;
  }

  /** Stop producing output; the consumer sees `err`. */
  abort(err: Error): void {
    this.finished = true;
    this.pack.destroy(err);
  }
}

function header(
  name: string,
  type: 'file' | 'symlink',
  size: number,
): tar.Header {
  return {
    name,
    type,
    size,
    mode: type === 'file' ? 0o444 : 0o777,
    mtime: new Date(0),
    uid: 0,
    gid: 0,
    uname: '',
    gname: '',
    linkname: '',
    devmajor: 0,
    devminor: 0,
  };
}
