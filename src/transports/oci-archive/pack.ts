import { createReadStream, createWriteStream } from 'node:fs';
import { readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { pack } from 'tar-stream';
import { tempNameBeside } from '../internal/fs-utils.js';

async function listTree(root: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(join(root, rel), { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = rel === '' ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) out.push(`${p}/`, ...(await listTree(root, p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/**
 * Tar the directory `layoutDir` into `archive`, streaming each file, via a
 * temporary file beside `archive` that is renamed over it at the end.
 */
export async function packDirectory(
  layoutDir: string,
  archive: string,
): Promise<void> {
  const tmp = tempNameBeside(archive);
  const p = pack();
  const writing = pipeline(
    p,
    createWriteStream(tmp, { flags: 'wx', mode: 0o644 }),
  );
  try {
    const mtime = new Date(0);
    for (const name of await listTree(layoutDir)) {
      if (name.endsWith('/')) {
        p.entry({ name, type: 'directory', mode: 0o755, mtime });
        continue;
      }
      const path = join(layoutDir, name);
      const { size } = await stat(path);
      await pipeline(
        createReadStream(path),
        p.entry({ name, type: 'file', size, mode: 0o644, mtime }),
      );
    }
    p.finalize();
    await writing;
    await rename(tmp, archive);
  } catch (err) {
    p.destroy();
    await writing.catch(() => undefined);
    await rm(tmp, { force: true });
    throw err;
  }
}
