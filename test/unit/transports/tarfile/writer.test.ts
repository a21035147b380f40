import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { TarStreamWriter } from '../../../../src/transports/internal/tarfile/writer.js';

function collector(): { out: Writable; bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  return {
    out: new Writable({
      write(chunk: Buffer, _e, cb) {
        chunks.push(chunk);
        cb();
      },
    }),
    bytes: () => Buffer.concat(chunks),
  };
}

async function produce(): Promise<Buffer> {
  const c = collector();
  const w = new TarStreamWriter(c.out);
  await w.lock(async () => {
    await w.writeStream('a.tar', 3000, Readable.from([Buffer.alloc(3000, 1)]));
    await w.writeBytes('m.json', Buffer.from('{}'));
    await w.writeSymlink('d/layer.tar', '../a.tar');
  });
  await w.finish();
  return c.bytes();
}

describe('TarStreamWriter', () => {
  it('produces identical bytes for identical input (fixed metadata)', async () => {
    const [a, b] = [await produce(), await produce()];
    expect(a.equals(b)).toBe(true);
    expect(a.length % 512).toBe(0);
  });

  it('fails an entry whose stream is shorter than its declared size', async () => {
    const w = new TarStreamWriter(collector().out);
    await expect(
      w.lock(() =>
        w.writeStream('short', 10, Readable.from([Buffer.alloc(5)])),
      ),
    ).rejects.toThrow(/Size mismatch/);
  });

  it('fails instead of hanging when the output breaks mid-entry', async () => {
    const broken = new Writable({
      highWaterMark: 1024,
      write(_chunk, _e, cb) {
        cb(new Error('disk full'));
      },
    });
    const w = new TarStreamWriter(broken);
    const big = Readable.from(
      Array.from({ length: 64 }, () => Buffer.alloc(64 * 1024)),
    );
    await expect(
      w.lock(() => w.writeStream('big', 64 * 64 * 1024, big)),
    ).rejects.toThrow();
    await expect(w.finish()).rejects.toThrow(/disk full/);
  });

  it('serialises writers through lock()', async () => {
    const c = collector();
    const w = new TarStreamWriter(c.out);
    expect(w.isIdle()).toBe(true);
    const order: string[] = [];
    const first = w.lock(async () => {
      order.push('first start');
      await new Promise((r) => setImmediate(r));
      order.push('first end');
    });
    expect(w.isIdle()).toBe(false);
    const second = w.lock(async () => {
      order.push('second');
      await Promise.resolve();
    });
    await Promise.all([first, second]);
    expect(order).toEqual(['first start', 'first end', 'second']);
    expect(w.isIdle()).toBe(true);
  });
});
