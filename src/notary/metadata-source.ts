/**
 * Where the Notary client reads TUF metadata from (SPEC §7.5–7.6): the
 * notary server over HTTP (http-store.ts) or the local trust cache
 * (`tuf/<GUN>/metadata/`). The update algorithm only talks to this
 * interface, so tests and the fault proxy can stand in for either.
 */

/** A TUF role file name: `root`, `targets`, `snapshot`, `timestamp` or `targets/<delegation>...`. */
export type RoleName = string;

export interface MetadataRequest {
  role: RoleName;
  /** Fetch `<role>.<hex>.json` (consistent name) instead of the current file. */
  checksum?: string;
  /** Fetch `<version>.<role>.json` (root rotation). */
  version?: number;
  /**
   * Upper bound on the body, from the parent's FILEMETA length or the
   * per-role default; a longer body is an error, never truncated.
   */
  maxBytes: number;
}

export interface MetadataSource {
  /** What to call this source in errors (`notary server https://…`, `trust cache /…`). */
  readonly description: string;
  /**
   * The raw bytes of one metadata file, or undefined when the source
   * says it does not exist (HTTP 404). Any other failure throws an
   * ImgsignError naming the GUN, role and source.
   */
  get(gun: string, request: MetadataRequest): Promise<Uint8Array | undefined>;
}
