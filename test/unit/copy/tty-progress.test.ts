import { describe, expect, it } from 'vitest';
import { TtyCopyProgress } from '../../../src/cli/copy-progress.js';

function fakeTty(): { out: NodeJS.WriteStream; text: () => string } {
  const chunks: string[] = [];
  const out = {
    write: (s: string) => (chunks.push(s), true),
  } as unknown as NodeJS.WriteStream;
  return { out, text: () => chunks.join('') };
}

const a = { digest: `sha256:${'a'.repeat(64)}`, size: 2048 };
const b = { digest: `sha256:${'b'.repeat(64)}`, size: 100 };

describe('TtyCopyProgress', () => {
  it('draws one line per blob and redraws them in place', () => {
    const { out, text } = fakeTty();
    const p = new TtyCopyProgress(out);
    p.blobStarted(a);
    p.blobStarted(b);
    p.blobDone(b, true);
    p.blobProgress(a.digest, 1024);
    p.blobDone(a, false);
    const lines = text().split('\n');
    const last = lines.slice(-3, -1);
    expect(last[0]).toMatch(
      /Copying blob aaaaaaaaaaaa \[=+\] 2\.0 KiB \/ 2\.0 KiB done$/,
    );
    expect(last[1]).toMatch(
      /Copying blob bbbbbbbbbbbb skipped: already exists$/,
    );
    // Redraws move the cursor up over the previous block.
    expect(text()).toContain('\x1b[2A');
  });

  it('prints steps below the bars and starts a fresh block', () => {
    const { out, text } = fakeTty();
    const p = new TtyCopyProgress(out);
    p.blobStarted(a);
    p.blobDone(a, false);
    p.step('Writing manifest to image destination');
    expect(text().endsWith('Writing manifest to image destination\n')).toBe(
      true,
    );
  });
});
