import type { DockerReference } from '../reference/docker-reference.js';

/**
 * Where simple signatures of a registry image live: a registries.d
 * lookaside (file or http) or the registry signatures extension API.
 * The choice is made per image by signature-storage/select.ts.
 */
export interface SignatureStore {
  /** Human-readable location for messages ("lookaside file:///…", "extension API https://…"). */
  describe(ref: DockerReference, manifestDigest: string): string;
  /** Every stored signature, in order; [] when none. I/O errors throw (never "no signatures"). */
  read(ref: DockerReference, manifestDigest: string): Promise<Buffer[]>;
  /**
   * Add `signatures` that are not already stored; never overwrites or drops
   * another writer's signature. Returns where each new one was written.
   */
  add(
    ref: DockerReference,
    manifestDigest: string,
    signatures: Buffer[],
  ): Promise<string[]>;
  /**
   * Optional, without side effects: throw as add() would when signatures
   * for `ref` certainly cannot be written (e.g. an http lookaside, or a
   * directory the user cannot create), so a copy can refuse before pushing.
   */
  assertWritable?(ref: DockerReference): Promise<void>;
}
