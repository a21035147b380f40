import type { ProgressReporter } from '../copy/types.js';
import type { BlobInfo } from '../transports/types.js';

interface Bar {
  digest: string;
  total: number;
  done: number;
  state: 'copying' | 'done' | 'skipped';
}

function human(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = -1;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

/**
 * Per-blob progress bars for a terminal (the copy command uses this only
 * when stderr is a TTY): one line per blob, redrawn in place at most every
 * 100 ms and once more at the end.
 */
export class TtyCopyProgress implements ProgressReporter {
  private readonly bars = new Map<string, Bar>();
  private drawnLines = 0;
  private lastDraw = 0;
  private readonly out: NodeJS.WriteStream;

  constructor(out: NodeJS.WriteStream) {
    this.out = out;
  }

  blobStarted(info: BlobInfo): void {
    this.bars.set(info.digest, {
      digest: info.digest,
      total: info.size,
      done: 0,
      state: 'copying',
    });
    this.draw(false);
  }

  blobProgress(digest: string, bytes: number): void {
    const bar = this.bars.get(digest);
    if (bar) bar.done = bytes;
    this.draw(false);
  }

  blobDone(info: BlobInfo, reused: boolean): void {
    const bar = this.bars.get(info.digest);
    if (bar) {
      bar.state = reused ? 'skipped' : 'done';
      if (bar.total >= 0) bar.done = bar.total;
    }
    this.draw(true);
  }

  step(text: string): void {
    this.draw(true);
    this.out.write(`${text}\n`);
    this.drawnLines = 0;
    this.bars.clear();
  }

  private line(bar: Bar): string {
    const name = `Copying blob ${bar.digest.slice(7, 19)}`;
    if (bar.state === 'skipped') return `${name} skipped: already exists`;
    const width = 30;
    const ratio = bar.total > 0 ? Math.min(1, bar.done / bar.total) : 0;
    const filled = Math.round(ratio * width);
    const size =
      bar.total >= 0
        ? `${human(bar.done)} / ${human(bar.total)}`
        : human(bar.done);
    const mark = bar.state === 'done' ? ' done' : '';
    return `${name} [${'='.repeat(filled)}${' '.repeat(width - filled)}] ${size}${mark}`;
  }

  private draw(force: boolean): void {
    const now = Date.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    let s = this.drawnLines > 0 ? `\x1b[${this.drawnLines}A` : '';
    for (const bar of this.bars.values()) s += `\x1b[2K${this.line(bar)}\n`;
    this.drawnLines = this.bars.size;
    this.out.write(s);
  }
}
