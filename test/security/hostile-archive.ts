import { parseDockerArchiveReference } from '../../src/transports/docker-archive/reference.js';
import type { ImageSource } from '../../src/transports/types.js';
import { tempDir } from '../helpers/paths.js';
import {
  type RawTarEntry,
  validArchiveEntries,
  writeArchive,
} from '../unit/transports/tarfile/image-builder.js';

/*
 * Shared set-up for the tar-*.test.ts and docker-archive-*.test.ts attacks:
 * a valid one-layer docker-archive whose entries the attack edits, written
 * to a temp directory and opened as an image source. Each attack keeps its
 * own test file.
 */

/**
 * Opens a docker-archive made of a valid image's entries as `edit` returns
 * them. `dir` (default: a fresh temp directory) is where the archive is
 * written, for attacks that place files beside it.
 */
export async function openHostileArchive(
  edit: (entries: RawTarEntry[]) => RawTarEntry[],
  dir?: string,
): Promise<ImageSource> {
  const { entries } = await validArchiveEntries();
  const path = await writeArchive(dir ?? (await tempDir()), edit(entries));
  return parseDockerArchiveReference(path).newImageSource({});
}
